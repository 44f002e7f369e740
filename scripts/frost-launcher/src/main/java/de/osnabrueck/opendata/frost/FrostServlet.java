package de.osnabrueck.opendata.frost;

import de.fraunhofer.iosb.ilt.frostserver.path.UrlHelper;
import de.fraunhofer.iosb.ilt.frostserver.path.Version;
import de.fraunhofer.iosb.ilt.frostserver.service.PluginService;
import de.fraunhofer.iosb.ilt.frostserver.service.Service;
import de.fraunhofer.iosb.ilt.frostserver.service.ServiceRequest;
import de.fraunhofer.iosb.ilt.frostserver.service.ServiceRequestBuilder;
import de.fraunhofer.iosb.ilt.frostserver.settings.CoreSettings;
import de.fraunhofer.iosb.ilt.frostserver.util.HttpMethod;
import de.fraunhofer.iosb.ilt.frostserver.util.StringHelper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * Turns an HTTP request into a FROST service request: {@code /v1.1/Things(1)?$expand=…}
 * becomes version v1.1, path {@code /Things(1)} and the query's parameters; the plugin
 * that owns the path executes it and writes the response.
 */
final class FrostServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private final transient CoreSettings settings;

    FrostServlet(CoreSettings settings) {
        this.settings = settings;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setContentType("application/json");
        String rest = request.getRequestURI().substring(request.getContextPath().length());
        // Decode the raw URI ourselves: getPathInfo() collapses "//" inside ids that are URLs.
        String pathInfo = StringHelper.urlDecode(rest);
        int slash = pathInfo.indexOf('/', 1);
        String versionName = slash > 0 ? pathInfo.substring(1, slash) : pathInfo.substring(Math.min(1, pathInfo.length()));
        String path = slash > 0 ? pathInfo.substring(slash) : "";
        Version version = settings.getPluginManager().getVersion(versionName);
        PluginService plugin = version == null ? null : settings.getPluginManager().getServiceForPath(version, path);
        if (plugin == null) {
            fail(response, 404, "Not Found");
            return;
        }
        // HEAD is answered as GET: Tomcat sends the headers only (link checkers ask with HEAD).
        String method = "HEAD".equals(request.getMethod()) ? "GET" : request.getMethod();
        String requestType = plugin.getRequestTypeFor(version, path, HttpMethod.fromString(method),
                request.getContentType());
        if (requestType == null) {
            fail(response, 400, "Unsupported request: " + request.getMethod() + " " + StringHelper.cleanForLogging(path));
            return;
        }
        execute(plugin, build(request, version, path, requestType), response);
    }

    private ServiceRequest build(HttpServletRequest request, Version version, String path, String requestType)
            throws IOException {
        String query = request.getQueryString();
        Map<String, List<String>> parameters = UrlHelper.splitQuery(query);
        String accept = request.getHeader("Accept");
        if (accept != null) {
            parameters.putIfAbsent("Accept", Collections.singletonList(accept));
        }
        return new ServiceRequestBuilder(settings, version)
                .withRequestType(requestType)
                .withUrlPath(path)
                .withUrlQuery(query == null ? null : StringHelper.urlDecode(query))
                .withContent(request.getInputStream())
                .withContentType(request.getContentType())
                .withParameterMap(parameters)
                .withUserPrincipal(request.getUserPrincipal())
                .build();
    }

    private void execute(PluginService plugin, ServiceRequest serviceRequest, HttpServletResponse response)
            throws IOException {
        HttpServiceResponse serviceResponse = new HttpServiceResponse(response);
        try (Service service = new Service(settings)) {
            ServiceRequest.LOCAL_REQUEST.set(serviceRequest);
            plugin.execute(service, serviceRequest, serviceResponse);
        } catch (RuntimeException e) {
            log("FROST request failed", e);
            fail(response, 500, String.valueOf(e.getMessage()));
            return;
        } finally {
            ServiceRequest.LOCAL_REQUEST.remove();
        }
        if (!serviceResponse.isSuccessful() && serviceResponse.getMessage() != null) {
            response.getWriter().write(serviceResponse.getMessage());
        }
    }

    private static void fail(HttpServletResponse response, int code, String message) throws IOException {
        if (!response.isCommitted()) {
            response.setStatus(code);
            response.getWriter().write(message);
        }
    }
}
