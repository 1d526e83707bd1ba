package hl7lake.cli;

import hl7lake.config.EngineSettings;
import hl7lake.http.LocalIssuer;

import java.io.PrintStream;
import java.time.Duration;

/**
 * {@code token [--user NAME] [--minutes N] [--id]}: prints a bearer token of the local issuer (the
 * key under the data directory, made by the engine's first start in local mode) for a dev user: an
 * access token, or with {@code --id} an ID token; how long it lives goes to stderr.
 */
public final class TokenCommand {

    private TokenCommand() {
    }

    public static int run(String[] args, EngineSettings settings, PrintStream out, PrintStream err) {
        String user = "dev";
        int minutes = 60;
        boolean idToken = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--user" -> user = args[++i];
                case "--minutes" -> minutes = Integer.parseInt(args[++i]);
                case "--id" -> idToken = true;
                default -> {
                    err.println("usage: token [--user NAME] [--minutes N] [--id]");
                    return 2;
                }
            }
        }
        String issuer = LocalIssuer.issuerFor(settings.number("hl7lake.local.issuer-port"));
        out.println(LocalIssuer.token(LocalIssuer.loadOrCreate(settings.dataDir()), issuer, user,
                Duration.ofMinutes(minutes), idToken));
        err.printf("%s token for %s from the local issuer %s, valid for %d minutes%n", idToken ? "ID" : "access",
                user, issuer, minutes);
        return 0;
    }
}
