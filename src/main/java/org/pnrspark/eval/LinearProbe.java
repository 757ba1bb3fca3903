package org.pnrspark.eval;

import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pnrspark.config.JobConfig;

import java.util.List;

/**
 * The linear probe on frozen features: multinomial logistic regression (Spark MLlib, L-BFGS, standardised
 * features) trained on the training split of all classes, predicting over all classes on the test split.
 */
public final class LinearProbe {
    private LinearProbe() {}

    /** Predicted class of every test image, by its index in the test split. */
    public static int[] predict(Dataset<Row> train, Dataset<Row> test, int testSize, JobConfig.Eval eval) {
        LogisticRegression lr = new LogisticRegression()
                .setFamily("multinomial")
                .setMaxIter(eval.probeMaxIter())
                .setRegParam(eval.probeRegParam())
                .setElasticNetParam(0.0)
                .setStandardization(true)
                .setLabelCol("label")
                .setFeaturesCol("features");
        LogisticRegressionModel model = lr.fit(train);
        List<Row> predictions = model.transform(test).select("index", "prediction").collectAsList();
        int[] predicted = new int[testSize];
        java.util.Arrays.fill(predicted, -1);
        for (Row r : predictions) predicted[r.getInt(0)] = (int) r.getDouble(1);
        return predicted;
    }
}
