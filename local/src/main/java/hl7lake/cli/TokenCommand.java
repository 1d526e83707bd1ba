package hl7lake.cli;

import hl7lake.config.EngineSettings;
import hl7lake.http.LocalIssuer;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code token [--user NAME] [--minutes N] [--id] [--role ROLE]...}: prints a bearer token of the local
 * issuer (the key under the data directory, made by the engine's first start in local mode) for a dev
 * user: an access token, or with {@code --id} an ID token; its roles ({@code cognito:groups}: sender,
 * reader, operator; {@code --role} again or comma-separated for several; default sender); how long
 * it lives goes to stderr.
 */
public final class TokenCommand {

    private static final Set<String> ROLES = Set.of("sender", "reader", "operator");
    private static final String USAGE = "usage: token [--user NAME] [--minutes N] [--id] [--role sender|reader|operator]...";

    private TokenCommand() {
    }

    public static int run(String[] args, EngineSettings settings, PrintStream out, PrintStream err) {
        Options options;
        String user;
        int minutes;
        try {
            options = Options.parse(args, List.of("--user", "--minutes", "--role"), List.of("--id"));
            user = options.text("--user", "dev");
            minutes = options.number("--minutes", 60, 1);
        } catch (Options.Usage e) {
            err.println("token: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        boolean idToken = options.has("--id");
        List<String> roles = new ArrayList<>();
        for (String given : options.all("--role")) {
            for (String role : given.split(",")) {
                if (!ROLES.contains(role.trim())) {
                    err.println("not a role: " + role.trim() + " (sender, reader or operator)");
                    return 2;
                }
                if (!roles.contains(role.trim())) {
                    roles.add(role.trim());
                }
            }
        }
        if (roles.isEmpty()) {
            roles.add("sender");
        }
        String issuer = LocalIssuer.issuerFor(settings.number("hl7lake.local.issuer-port"));
        out.println(LocalIssuer.token(LocalIssuer.loadOrCreate(settings.dataDir()), issuer, user,
                Duration.ofMinutes(minutes), idToken, roles));
        err.printf("%s token for %s (%s) from the local issuer %s, valid for %d minutes%n", idToken ? "ID" : "access",
                user, String.join(", ", roles), issuer, minutes);
        return 0;
    }
}
