package hl7lake.refine;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The refined zone as an analyst reads it with DuckDB: the objects under {@code refined/} copied
 * into a folder as {@code aws s3 sync s3://<bucket>/refined refined} lays them out, and one view per
 * table, {@code hl7lake.refined_<table>}, over the files the day manifests name (as README declares them).
 */
final class RefinedReader implements AutoCloseable {

    private final Connection duckdb;

    private RefinedReader(Connection duckdb) {
        this.duckdb = duckdb;
    }

    /** Copies {@code refined/} of the bucket under {@code folder} and declares the views with {@code setup}. */
    static RefinedReader sync(S3Client s3, String bucket, Path folder, List<String> setup) throws Exception {
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("refined/")).contents()) {
            Path target = folder.resolve(object.key());
            Files.createDirectories(target.getParent());
            Files.write(target, s3.getObjectAsBytes(b -> b.bucket(bucket).key(object.key())).asByteArray());
        }
        Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement statement = duckdb.createStatement()) {
            statement.execute("SET threads = 2");
            statement.execute("SET file_search_path = '" + folder + "'");
            for (String sql : setup) {
                statement.execute(sql);
            }
        }
        return new RefinedReader(duckdb);
    }

    /** The setup statements: a variable and a view per table, as README gives them. */
    static List<String> views() {
        List<String> sql = new ArrayList<>();
        sql.add("CREATE SCHEMA IF NOT EXISTS hl7lake");
        for (RefinedTables.Table table : RefinedTables.ALL) {
            sql.add("SET VARIABLE " + table.glueName() + " = (SELECT list(regexp_replace(file, '^s3://[^/]+/', '')) "
                    + "FROM read_csv('refined/_manifests/" + table.name() + "/*/manifest', header = false, columns = {'file': 'VARCHAR'}))");
            sql.add("CREATE OR REPLACE VIEW hl7lake." + table.glueName() + " AS SELECT * FROM read_parquet(getvariable('"
                    + table.glueName() + "'), hive_partitioning = true, hive_types = {'day': 'VARCHAR'})");
        }
        return sql;
    }

    List<List<Object>> query(String sql) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        try (Statement statement = duckdb.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(result.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /** Every value as text (a list's too), for comparing rows. */
    List<List<String>> text(String sql) throws SQLException {
        return query(sql).stream().map(r -> r.stream().map(v -> v instanceof java.sql.Array a ? arrayText(a) : String.valueOf(v)).toList())
                .toList();
    }

    private static String arrayText(java.sql.Array array) {
        try {
            return java.util.Arrays.toString((Object[]) array.getArray());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    long count(String sql) throws SQLException {
        return ((Number) query(sql).get(0).get(0)).longValue();
    }

    @Override
    public void close() throws SQLException {
        duckdb.close();
    }
}
