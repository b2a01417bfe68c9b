package io.cohort.head.auth;

import io.cohort.head.store.JobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokensTest
{
    @TempDir
    Path data;

    @Test
    void theStoreKeepsOnlyAHashOfTheSecretYetTheTokenStillAuthenticatesAfterAReopen() throws Exception
    {
        final String token;
        final String secret;
        try (JobStore store = JobStore.open(data))
        {
            token = new Tokens(store).create("ci", "alice", Role.USER).token();
            // cohort_<16 hex id>_<43-character secret>; the secret may itself contain '_'.
            secret = token.substring("cohort_".length() + 16 + 1);
            assertEquals(43, secret.length(), token);
            store.tokens().forEach(record -> assertFalse(record.toString().contains(secret), record.toString()));
        }
        for (final Path file : files(data))
        {
            final String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            assertFalse(bytes.contains(secret), "the token's secret is written in " + file);
        }
        try (JobStore store = JobStore.open(data))
        {
            final Caller caller = new Tokens(store).authenticate("Bearer " + token);
            assertEquals("alice", caller.user());
        }
    }

    @Test
    void theLastLiveAdminTokenCannotBeRevokedButOneOfTwoCan() throws Exception
    {
        try (JobStore store = JobStore.open(data))
        {
            final Tokens tokens = new Tokens(store);
            final String first = tokens.create("root", "ops", Role.ADMIN).record().id();
            final String user = tokens.create("ci", "alice", Role.USER).record().id();
            final Tokens.LastAdminException refused = org.junit.jupiter.api.Assertions.assertThrows(
                Tokens.LastAdminException.class, () -> tokens.revoke(first));
            assertTrue(refused.getMessage().contains("is the last live admin token; create another admin token "
                + "first"), refused.getMessage());
            assertTrue(tokens.revoke(user).isPresent(), "a user token is revoked");
            final String second = tokens.create("spare", "ops", Role.ADMIN).record().id();
            assertTrue(tokens.revoke(first).isPresent(), "one of two admin tokens is revoked");
            org.junit.jupiter.api.Assertions.assertThrows(Tokens.LastAdminException.class,
                () -> tokens.revoke(second));
        }
    }

    private static List<Path> files(final Path root) throws IOException
    {
        try (Stream<Path> walk = Files.walk(root))
        {
            final List<Path> files = walk.filter(Files::isRegularFile).toList();
            assertTrue(!files.isEmpty(), "the store wrote no file under " + root);
            return files;
        }
    }
}
