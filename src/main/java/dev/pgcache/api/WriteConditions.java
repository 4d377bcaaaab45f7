package dev.pgcache.api;

import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.core.HttpHeaders;

import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.WritePrecondition;
import dev.pgcache.protocol.Problem;
import dev.pgcache.protocol.ProblemException;

/** A write's conditions from If-Match / If-None-Match, and the 412 and 409 answers of a write or delete they refuse. */
final class WriteConditions {

    private WriteConditions() {
    }

    /** The write precondition, or null when If-Match names no version this entry could ever have (so it cannot hold). */
    static WritePrecondition of(EntityTags ifMatch, EntityTags ifNoneMatch) {
        if (ifMatch != null && ifNoneMatch != null) {
            throw ProblemException.badRequest("invalid-precondition", "send If-Match or If-None-Match, not both");
        }
        if (ifMatch != null) {
            if (ifMatch.any()) {
                return new WritePrecondition.IfMatch(Set.of());
            }
            return ifMatch.strongVersions().isEmpty() ? null : new WritePrecondition.IfMatch(ifMatch.strongVersions());
        }
        if (ifNoneMatch != null) {
            if (ifNoneMatch.any()) {
                return new WritePrecondition.IfNoneMatch(Set.of());
            }
            return ifNoneMatch.allVersions().isEmpty() ? WritePrecondition.NONE : new WritePrecondition.IfNoneMatch(ifNoneMatch.allVersions());
        }
        return WritePrecondition.NONE;
    }

    /** 412 precondition-failed, with the live entry's ETag when there is one (currentVersion not null). */
    static ProblemException preconditionFailed(EntryId id, Long currentVersion) {
        String detail = currentVersion == null
                ? "the precondition failed: there is no live entry for key '" + id.key() + "' that it matches"
                : "the precondition failed: the live entry for key '" + id.key() + "' has version " + currentVersion;
        Map<String, String> headers = currentVersion == null ? Map.of() : Map.of(HttpHeaders.ETAG, "\"" + currentVersion + "\"");
        return new ProblemException(Problem.of(412, "precondition-failed", "Precondition failed", detail), headers);
    }

    /** 409 revision-conflict, with the stored revision in X-Revision when it is known. */
    static ProblemException revisionConflict(EntryId id, Long sent, Long stored) {
        String storedText = stored == null ? "a higher revision (a concurrent write changed it again)" : "revision " + stored;
        return new ProblemException(Problem.of(409, "revision-conflict", "Conflict",
                "the stored entry for key '" + id.key() + "' has " + storedText + ", higher than this write's revision " + sent
                        + "; nothing was written"),
                stored == null ? Map.of() : Map.of(CachingHeaders.X_REVISION, Long.toString(stored)));
    }
}
