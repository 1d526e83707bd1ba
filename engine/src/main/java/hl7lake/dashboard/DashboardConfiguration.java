package hl7lake.dashboard;

import hl7lake.http.ReplyHeaders;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;

/**
 * The dashboard's beans ({@code routes/dashboard.yaml}): {@code dashboard}, its files, and
 * {@code dashboardHeaders}, the HTTP door's header filter that also lets the page's security headers out.
 * Listed in {@code camel.main.configuration-classes}.
 */
public final class DashboardConfiguration implements CamelConfiguration {

    @BindToRegistry("dashboard")
    public Dashboard dashboard() {
        return new Dashboard();
    }

    @BindToRegistry("dashboardHeaders")
    public ReplyHeaders dashboardHeaders() {
        return new ReplyHeaders(Dashboard.SECURITY_HEADERS.keySet());
    }
}
