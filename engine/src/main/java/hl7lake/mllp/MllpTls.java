package hl7lake.mllp;

import hl7lake.config.EngineSettings;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;

/** The MLLP listener's TLS, from {@code hl7lake.mllp.tls.*}: Camel's own JSSE parameters for camel-netty. */
public final class MllpTls {

    private MllpTls() {
    }

    /** The server key from the configured keystore; empty parameters (unused) when TLS is off. */
    public static SSLContextParameters of(EngineSettings settings) {
        SSLContextParameters tls = new SSLContextParameters();
        if (!settings.flag("hl7lake.mllp.tls.enabled")) {
            return tls;
        }
        KeyStoreParameters store = new KeyStoreParameters();
        store.setResource("file:" + settings.get("hl7lake.mllp.tls.keystore"));
        store.setPassword(settings.get("hl7lake.mllp.tls.keystore-password"));
        store.setType(settings.get("hl7lake.mllp.tls.keystore-type"));
        KeyManagersParameters keys = new KeyManagersParameters();
        keys.setKeyStore(store);
        keys.setKeyPassword(settings.get("hl7lake.mllp.tls.keystore-password"));
        tls.setKeyManagers(keys);
        return tls;
    }
}
