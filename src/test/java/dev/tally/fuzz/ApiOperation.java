package dev.tally.fuzz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;

/**
 * One operation of the served OpenAPI document, reduced to what drives the generators: its method and path
 * template, its parameters by location (path, query, header, cookie) with their schemas, and the media types and
 * schema of its body. Nothing here is written by hand: a new operation or parameter is fuzzed as soon as the
 * document describes it.
 */
record ApiOperation(String method, String path, Map<String, Parameter> pathParameters, List<Parameter> query,
        List<Parameter> headers, List<Parameter> cookies, Map<String, Schema<?>> bodies) {

    String key() {
        return method + " " + path;
    }

    boolean isWork() {
        return path.startsWith("/api/v1/work/");
    }

    /** Every operation of the document, refs resolved in place. */
    static List<ApiOperation> allOf(String openApiJson) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true);
        OpenAPI api = new OpenAPIV3Parser().readContents(openApiJson, null, options).getOpenAPI();
        if (api == null || api.getPaths() == null || api.getPaths().isEmpty()) {
            throw new IllegalStateException("the OpenAPI document has no operations: " + openApiJson);
        }
        List<ApiOperation> operations = new ArrayList<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap()
                .forEach((method, operation) -> operations.add(of(method.name(), path, operation))));
        return operations;
    }

    private static ApiOperation of(String method, String path, Operation operation) {
        Map<String, Parameter> pathParameters = new LinkedHashMap<>();
        List<Parameter> query = new ArrayList<>();
        List<Parameter> headers = new ArrayList<>();
        List<Parameter> cookies = new ArrayList<>();
        for (Parameter parameter : operation.getParameters() == null ? List.<Parameter>of() : operation.getParameters()) {
            switch (parameter.getIn().toLowerCase(Locale.ROOT)) {
                case "path" -> pathParameters.put(parameter.getName(), parameter);
                case "query" -> query.add(parameter);
                case "header" -> headers.add(parameter);
                case "cookie" -> cookies.add(parameter);
                default -> throw new IllegalStateException("parameter in " + parameter.getIn() + " of " + path);
            }
        }
        Map<String, Schema<?>> bodies = new LinkedHashMap<>();
        if (operation.getRequestBody() != null && operation.getRequestBody().getContent() != null) {
            operation.getRequestBody().getContent().forEach((media, content) -> bodies.put(media, content.getSchema()));
        }
        return new ApiOperation(method, path, pathParameters, query, headers, cookies, bodies);
    }

    /** A schema's type, in OpenAPI 3.0 ({@code type}) or 3.1 ({@code types}) form; null when it names none. */
    static String typeOf(Schema<?> schema) {
        if (schema == null) {
            return null;
        }
        if (schema.getType() != null) {
            return schema.getType();
        }
        return schema.getTypes() == null || schema.getTypes().isEmpty() ? null : schema.getTypes().iterator().next();
    }

    /** The schema's examples (3.1 {@code examples} or 3.0 {@code example}), possibly none. */
    static List<Object> examplesOf(Schema<?> schema) {
        List<Object> examples = new ArrayList<>();
        if (schema != null && schema.getExamples() != null) {
            examples.addAll(schema.getExamples());
        }
        if (schema != null && schema.getExample() != null) {
            examples.add(schema.getExample());
        }
        return examples;
    }
}
