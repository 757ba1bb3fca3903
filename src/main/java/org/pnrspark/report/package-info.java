/**
 * What a run leaves behind: results.json and the accuracy matrix, the console table, the HTML report with plots,
 * and the side-by-side comparison of runs. Every result is written atomically, with the effective configuration and
 * the versions next to it.
 */
package org.pnrspark.report;
