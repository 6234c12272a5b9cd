// Checks Turtle files against the OWL 2 DL profile with the OWL API (Debian's libowlapi-java).
//
// Usage: java OwlDlProfile FILE.ttl [FILE.ttl ...]
// Prints one line per finding, "FILE<TAB>KIND<TAB>detail", and exits 0 when there are none,
// 1 when there are findings, 2 when a file cannot be read. A finding is a profile violation or a
// triple the parser could not turn into an axiom (a silent drop would hide a broken declaration).
// Each file is loaded on its own manager, with imports never fetched: the check is offline.

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.RDFTriple;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public final class OwlDlProfile {
    private OwlDlProfile() {
    }

    public static void main(String[] args) {
        List<String> findings = new ArrayList<>();
        for (String path : args) {
            try {
                findings.addAll(check(path));
            } catch (Exception e) {
                System.out.println(path + "\tUnreadable\t" + e.getMessage().replace('\n', ' '));
                System.exit(2);
            }
        }
        findings.forEach(System.out::println);
        System.exit(findings.isEmpty() ? 0 : 1);
    }

    private static List<String> check(String path) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT)
            .setFollowRedirects(false);
        manager.setOntologyLoaderConfiguration(config);
        manager.getIRIMappers().clear();
        FileDocumentSource source = new FileDocumentSource(new File(path), new TurtleDocumentFormat());
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(source, config);
        List<String> findings = new ArrayList<>();
        OWLDocumentFormat format = manager.getOntologyFormat(ontology);
        if (format != null && format.getOntologyLoaderMetaData().isPresent()) {
            format.getOntologyLoaderMetaData().get().getUnparsedTriples()
                .map(RDFTriple::toString).sorted()
                .forEach(triple -> findings.add(path + "\tUnparsedTriple\t" + triple));
        }
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        List<String> violations = new ArrayList<>();
        for (OWLProfileViolation violation : report.getViolations()) {
            String detail = violation.toString().replaceAll("\\s+", " ").trim();
            violations.add(path + "\t" + violation.getClass().getSimpleName() + "\t" + detail);
        }
        violations.sort(null);  // the report's order is a set's: sorted, the output is stable
        findings.addAll(violations);
        return findings;
    }
}
