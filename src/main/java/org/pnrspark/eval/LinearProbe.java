package org.pnrspark.eval;

import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pnrspark.config.JobConfig;

import java.util.Arrays;
import java.util.List;

/**
 * The fast linear probe on frozen features: multinomial logistic regression with L-BFGS on standardised features
 * (Spark MLlib's objective) trained on the training split of all classes, predicting over all classes on the test
 * split. Fitted on the driver ({@link MultinomialLogisticRegression}) when the training features fit under
 * eval.linear_probe.driver_max_mb, else by MLlib's LogisticRegression on the executors, one Spark job per
 * evaluation of the objective.
 */
public final class LinearProbe {
    private LinearProbe() {}

    /** MLlib's estimator with the fast protocol's settings. */
    static LogisticRegression mllibEstimator(JobConfig.Eval eval) {
        return new LogisticRegression()
                .setFamily("multinomial")
                .setMaxIter(eval.probeMaxIter())
                .setRegParam(eval.probeRegParam())
                .setElasticNetParam(0.0)
                .setStandardization(true)
                .setLabelCol("label")
                .setFeaturesCol("features");
    }

    /**
     * Whether {@code rows} training features of width {@code dim} are fitted on the driver: their standardised copy
     * (doubles) within eval.linear_probe.driver_max_mb, and the float32 features collected to get there within
     * Spark's limit on what a job returns to the driver ({@code maxResultBytes}, spark.driver.maxResultSize; 0 =
     * none), which would otherwise stop the job instead of leaving the probe to MLlib.
     */
    public static boolean onDriver(long rows, int dim, JobConfig.Eval eval, long maxResultBytes) {
        boolean fitsResult = maxResultBytes <= 0 || rows * dim * Float.BYTES <= maxResultBytes * 9 / 10;
        return fitsResult && rows * dim * Double.BYTES <= (long) eval.probeDriverMaxMb() << 20;
    }

    /** Fitted on the driver: the predicted class of every test image, by its index in the test split. */
    public static int[] predict(FeatureSet train, FeatureSet test, JobConfig.Eval eval) {
        return MultinomialLogisticRegression.fit(train, eval.probeMaxIter(), eval.probeRegParam())
                .predict(test.features());
    }

    /** Fitted by Spark MLlib on (index, label, features) DataFrames: the same, one Spark job per evaluation. */
    public static int[] predictWithMllib(Dataset<Row> train, Dataset<Row> test, int testSize, JobConfig.Eval eval) {
        LogisticRegressionModel model = mllibEstimator(eval).fit(train);
        List<Row> predictions = model.transform(test).select("index", "prediction").collectAsList();
        int[] predicted = new int[testSize];
        Arrays.fill(predicted, -1);
        for (Row r : predictions) predicted[r.getInt(0)] = (int) r.getDouble(1);
        return predicted;
    }
}
