package io.cohort.node.cluster;

import io.cohort.node.launch.LaunchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Host lists as mpirun writes them. */
class HostListTest
{
    @Test
    void hostsOptionTakesHostsWithAndWithoutSlots()
    {
        assertEquals(List.of(new HostSlots("n1", 7470, 4), new HostSlots("n2", 7470, 0)),
            HostList.parse("n1:4,n2", 7470));
    }

    @Test
    void hostFileTakesSlotsPortsAndComments(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("hosts");
        Files.writeString(file, "# the cluster\nn1 slots=2\n\nn2:3   # a comment\n10.0.0.3 slots=1 port=7471\n");
        assertEquals(List.of(new HostSlots("n1", 7470, 2), new HostSlots("n2", 7470, 3),
            new HostSlots("10.0.0.3", 7471, 1)), HostList.read(file, 7470));
    }

    @Test
    void hostFileWithUnknownWordNamesLineAndWord(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("hosts");
        Files.writeString(file, "n1 slots=2\nn2 cpus=4\n");
        final LaunchException error = assertThrows(LaunchException.class, () -> HostList.read(file, 7470));
        assertTrue(error.getMessage().contains("line 2") && error.getMessage().contains("cpus=4"),
            error.getMessage());
    }

    @Test
    void ipv6AddressesAreTakenBareOrInBracketsWithSlots()
    {
        assertEquals(List.of(new HostSlots("fe80::1", 7470, 0), new HostSlots("fd00::2", 7470, 4)),
            HostList.parse("fe80::1,[fd00::2]:4", 7470));
    }

    @Test
    void maxSlotsCapsTheSlotsAndStandsForThemWhenAlone(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("hosts");
        Files.writeString(file, "n1 slots=2 max_slots=4\nn2 max_slots=3\n");
        assertEquals(List.of(new HostSlots("n1", 7470, 2), new HostSlots("n2", 7470, 3)), HostList.read(file, 7470));
        Files.writeString(file, "n1 slots=8 max_slots=4\n");
        final LaunchException over = assertThrows(LaunchException.class, () -> HostList.read(file, 7470));
        assertTrue(over.getMessage().contains("line 1: slots=8 is more than max_slots=4"), over.getMessage());
    }

    @Test
    void slotsGivenTwiceOnOneLineAreRefused(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("hosts");
        Files.writeString(file, "n1 slots=2 slots=4\n");
        final LaunchException error = assertThrows(LaunchException.class, () -> HostList.read(file, 7470));
        assertTrue(error.getMessage().contains("line 1: slots= is given twice"), error.getMessage());
    }

    @Test
    void hostFileLineGivingTwoDifferentSlotCountsIsRefused(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("hosts");
        Files.writeString(file, "n1:4 slots=2\n");
        final LaunchException error = assertThrows(LaunchException.class, () -> HostList.read(file, 7470));
        assertTrue(error.getMessage().contains("line 1: 'n1:4' and slots=2 give different slots"), error.getMessage());
    }

    @Test
    void slotsThatAreNotANumberAreRefused()
    {
        final LaunchException error = assertThrows(LaunchException.class, () -> HostList.parse("n1:four", 7470));
        assertTrue(error.getMessage().contains("'four' is not a whole number"), error.getMessage());
    }

    @Test
    void zeroSlotsAreRefused()
    {
        final LaunchException error = assertThrows(LaunchException.class, () -> HostList.parse("n1:0", 7470));
        assertTrue(error.getMessage().contains("below the minimum of 1"), error.getMessage());
    }

    @Test
    void aHostListedTwiceIsRefused()
    {
        final LaunchException error = assertThrows(LaunchException.class, () -> HostList.parse("n1:2,n1:2", 7470));
        assertTrue(error.getMessage().contains("listed twice"), error.getMessage());
    }

    @Test
    void emptyHostFileIsRefused(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("hosts");
        Files.writeString(file, "# nothing\n");
        assertThrows(LaunchException.class, () -> HostList.read(file, 7470));
    }

    @Test
    void hostsNamingNoHostAreRefusedSayingSo()
    {
        final LaunchException error = assertThrows(LaunchException.class, () -> HostList.parse(",", 7470));
        assertTrue(error.getMessage().contains("--hosts ',' names no host"), error.getMessage());
    }

    @Test
    void hostFileThatIsNotTextIsRefusedSayingSo(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("hosts");
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        final LaunchException error = assertThrows(LaunchException.class, () -> HostList.read(file, 7470));
        assertTrue(error.getMessage().contains(file + ": it is not a text file"), error.getMessage());
    }

    @Test
    void missingHostFileIsNamedAsMissing(@TempDir final Path dir)
    {
        final Path file = dir.resolve("absent");
        final LaunchException error = assertThrows(LaunchException.class, () -> HostList.read(file, 7470));
        assertEquals("cannot read the host file " + file + ": no such file", error.getMessage());
    }
}
