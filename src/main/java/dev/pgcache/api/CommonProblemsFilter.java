package dev.pgcache.api;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pgcache.protocol.Problem;
import dev.pgcache.security.Access;
import dev.pgcache.security.RequiredAccess;

import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * Adds the answers every /v1 operation can give, whatever it does, to the OpenAPI document in
 * one place instead of on each method: 401 (no or unknown key), 403 (naming the scope the
 * operation needs, read from the endpoint's own {@link Access}, which is what is enforced; none
 * for an endpoint any valid key may call, {@code security.AnyKey}),
 * 429, 500, 503, and 406 for operations that answer JSON; and those every operation on a
 * namespace's entries can give: 404 unknown-namespace, and 415 for a body that is not JSON. An
 * operation that documents one of these codes itself (GET of a key: its 404 is a cache miss too)
 * keeps its own.
 *
 * <p>It runs at build time: it reads nothing but annotations and constants, and a filter run at
 * start-up (as with {@code mp.openapi.filter}) made every start rebuild and re-serialize the whole
 * document, the largest single step of start-up (docs/benchmarks.md, "Start-up").
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class CommonProblemsFilter implements OASFilter {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The paths of one namespace's entries: each may answer 404 unknown-namespace, and 415 when it takes a body. */
    private static final String NAMESPACE_PATH = "/v1/cache/{namespace}";

    /** The REST resources; OpenApiDocumentTest fails when an operation is missing its 403 (a resource left out here). */
    private static final List<Class<?>> RESOURCES = List.of(EntryResource.class, BatchResource.class, ListingResource.class,
            InvalidationResource.class, AdminResource.class, NamespacesResource.class, RpcResource.class, OverviewResource.class,
            CallerResource.class);

    /** Each operation's declared access, by operationId: the operation is documented on an interface, its access on the resource. */
    private static final Map<String, Access> ACCESS = accessByOperation();

    private static Map<String, Access> accessByOperation() {
        Map<String, Access> byId = new HashMap<>();
        for (Class<?> resource : RESOURCES) {
            for (Class<?> documented : resource.getInterfaces()) {
                for (Method m : documented.getDeclaredMethods()) {
                    org.eclipse.microprofile.openapi.annotations.Operation op = m.getAnnotation(
                            org.eclipse.microprofile.openapi.annotations.Operation.class);
                    Access access = EndpointMethods.access(resource, m);
                    if (op != null && access != null) {
                        byId.put(op.operationId(), access);
                    }
                }
            }
        }
        return Map.copyOf(byId);
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith("/v1/")) {
                item.getOperations().forEach((method, operation) -> addCommonProblems(method, path, operation));
            }
        });
    }

    private static void addCommonProblems(PathItem.HttpMethod method, String path, Operation operation) {
        add(operation, "401", ApiExamples.R_UNAUTHORIZED, "unauthorized", ApiExamples.UNAUTHORIZED,
                Map.of("WWW-Authenticate", header(ApiExamples.WWW_AUTHENTICATE, "string")));
        Optional.ofNullable(ACCESS.get(operation.getOperationId()))
                .map(a -> new RequiredAccess(a.value(), a.namespace().isEmpty() ? null : a.namespace()))
                .ifPresent(a -> add(operation, "403", "forbidden: the key lacks " + a.describe().replace("'", ""),
                        "forbidden", forbiddenExample(a), Map.of()));
        add(operation, "429", ApiExamples.R_RATE_LIMITED, "rate-limited", ApiExamples.RATE_LIMITED,
                Map.of("Retry-After", header(ApiExamples.RETRY_AFTER, "integer")));
        add(operation, "500", ApiExamples.R_INTERNAL_ERROR, "internal-error", ApiExamples.INTERNAL_ERROR, Map.of());
        add(operation, "503", ApiExamples.R_DATABASE_UNAVAILABLE, "database-unavailable", ApiExamples.DATABASE_UNAVAILABLE,
                Map.of("Retry-After", header(ApiExamples.RETRY_AFTER, "integer")));
        if (answersJson(operation)) {
            add(operation, "406", ApiExamples.R_NOT_ACCEPTABLE, "not-acceptable", ApiExamples.NOT_ACCEPTABLE, Map.of());
        }
        if (path.startsWith(NAMESPACE_PATH)) {
            add(operation, "404", ApiExamples.R_UNKNOWN_NAMESPACE, "unknown-namespace", ApiExamples.UNKNOWN_NAMESPACE, Map.of());
            if (operation.getRequestBody() != null) {
                add(operation, "415", ApiExamples.R_UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", ApiExamples.UNSUPPORTED_MEDIA_TYPE,
                        Map.of());
            }
        }
    }

    private static String forbiddenExample(RequiredAccess access) {
        return switch (access.scope()) {
            case READ -> ApiExamples.FORBIDDEN_READ;
            case WRITE -> ApiExamples.FORBIDDEN_WRITE;
            case ADMIN -> ApiExamples.FORBIDDEN_ADMIN;
        };
    }

    private static boolean answersJson(Operation operation) {
        return operation.getResponses() != null && operation.getResponses().getAPIResponses().entrySet().stream()
                .anyMatch(r -> r.getKey().startsWith("2") && r.getValue().getContent() != null
                        && r.getValue().getContent().getMediaTypes() != null
                        && r.getValue().getContent().getMediaTypes().containsKey("application/json"));
    }

    private static void add(Operation operation, String code, String description, String exampleName, String example,
            Map<String, Header> headers) {
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        if (operation.getResponses().hasAPIResponse(code)) {
            return; // the operation says more itself
        }
        APIResponse response = OASFactory.createAPIResponse().description(description)
                .content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType()
                        .schema(OASFactory.createSchema().ref("Problem"))
                        .addExample(exampleName, OASFactory.createExample().value(parse(example)))));
        headers.forEach(response::addHeader);
        operation.getResponses().addAPIResponse(code, response);
    }

    private static Header header(String description, String type) {
        return OASFactory.createHeader().description(description)
                .schema(OASFactory.createSchema().type(java.util.List.of(org.eclipse.microprofile.openapi.models.media.Schema.SchemaType.valueOf(type.toUpperCase()))));
    }

    private static Object parse(String json) {
        try {
            return JSON.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("ApiExamples holds valid JSON", e);
        }
    }
}
