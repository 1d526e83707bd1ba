package hl7lake.local.s3;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The XML of the S3 REST API that the local server reads and writes. */
final class S3Xml {

    static final String HEADER = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    static final String NS = " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

    private S3Xml() {
    }

    static String error(String code, String message, String resource) {
        return HEADER + "<Error><Code>" + code + "</Code><Message>" + escape(message) + "</Message><Resource>"
                + escape(resource) + "</Resource><RequestId>local</RequestId></Error>";
    }

    static String tagging(Map<String, String> tags) {
        StringBuilder xml = new StringBuilder(HEADER).append("<Tagging").append(NS).append("><TagSet>");
        tags.forEach((k, v) -> xml.append("<Tag><Key>").append(escape(k)).append("</Key><Value>").append(escape(v))
                .append("</Value></Tag>"));
        return xml.append("</TagSet></Tagging>").toString();
    }

    static String buckets(List<String> names) {
        StringBuilder xml = new StringBuilder(HEADER).append("<ListAllMyBucketsResult").append(NS)
                .append("><Owner><ID>local</ID><DisplayName>local</DisplayName></Owner><Buckets>");
        for (String name : names) {
            xml.append("<Bucket><Name>").append(escape(name)).append("</Name><CreationDate>")
                    .append(time(Instant.EPOCH)).append("</CreationDate></Bucket>");
        }
        return xml.append("</Buckets></ListAllMyBucketsResult>").toString();
    }

    static String copyResult(StoredObject object) {
        return HEADER + "<CopyObjectResult" + NS + "><LastModified>" + time(object.lastModified())
                + "</LastModified><ETag>&quot;" + object.etag() + "&quot;</ETag></CopyObjectResult>";
    }

    static String initiateUpload(String bucket, String key, String uploadId) {
        return HEADER + "<InitiateMultipartUploadResult" + NS + "><Bucket>" + escape(bucket) + "</Bucket><Key>"
                + escape(key) + "</Key><UploadId>" + uploadId + "</UploadId></InitiateMultipartUploadResult>";
    }

    static String completeUpload(String bucket, String key, String etag) {
        return HEADER + "<CompleteMultipartUploadResult" + NS + "><Bucket>" + escape(bucket) + "</Bucket><Key>"
                + escape(key) + "</Key><ETag>&quot;" + etag + "&quot;</ETag></CompleteMultipartUploadResult>";
    }

    static String deleted(List<String> keys) {
        StringBuilder xml = new StringBuilder(HEADER).append("<DeleteResult").append(NS).append(">");
        keys.forEach(key -> xml.append("<Deleted><Key>").append(escape(key)).append("</Key></Deleted>"));
        return xml.append("</DeleteResult>").toString();
    }

    /** The element texts of every {@code <name>} child of each {@code <parent>}, in order. */
    static List<Map<String, String>> read(InputStream body, String parent, String... names) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setNamespaceAware(false);
        Document document = factory.newDocumentBuilder().parse(body);
        NodeList parents = document.getElementsByTagName(parent);
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < parents.getLength(); i++) {
            Element element = (Element) parents.item(i);
            Map<String, String> values = new LinkedHashMap<>();
            for (String name : names) {
                NodeList found = element.getElementsByTagName(name);
                values.put(name, found.getLength() == 0 ? null : found.item(0).getTextContent());
            }
            out.add(values);
        }
        return out;
    }

    static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString().replaceFirst("(\\.\\d{3})?Z$", "$1Z")
                .replaceFirst(":(\\d\\d)Z$", ":$1.000Z");
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
