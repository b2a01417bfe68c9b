package io.cohort.node.cluster;

import io.cohort.node.launch.LaunchException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which host runs which rank, as mpirun's --map-by and --npernode decide. */
class RankPlacementTest
{
    private static final List<String> NAMES = List.of("n1", "n2", "n3");

    @Test
    void mapBySlotFillsEachHostInTurn()
    {
        assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4), List.of()),
            RankPlacement.place(5, new int[] {3, 3, 3}, NAMES, MapBy.SLOT, 0));
    }

    @Test
    void mapByNodeDealsRanksRoundRobin()
    {
        assertEquals(List.of(List.of(0, 3), List.of(1, 4), List.of(2)),
            RankPlacement.place(5, new int[] {3, 3, 3}, NAMES, MapBy.NODE, 0));
    }

    @Test
    void mapByNodeSkipsFullHosts()
    {
        assertEquals(List.of(List.of(0), List.of(1, 3, 4, 5), List.of(2)),
            RankPlacement.place(6, new int[] {1, 4, 1}, NAMES, MapBy.NODE, 0));
    }

    @Test
    void perNodeLimitsRanksOnEachHost()
    {
        assertEquals(List.of(List.of(0, 1), List.of(2, 3), List.of(4)),
            RankPlacement.place(5, new int[] {4, 4, 4}, NAMES, MapBy.SLOT, 2));
    }

    @Test
    void moreRanksThanSlotsNamesTheNumbers()
    {
        final LaunchException error = assertThrows(LaunchException.class,
            () -> RankPlacement.place(10, new int[] {4, 4, 1}, NAMES, MapBy.SLOT, 0));
        assertTrue(error.getMessage().contains("-n 10") && error.getMessage().contains("9")
            && error.getMessage().contains("n1:4, n2:4, n3:1"), error.getMessage());
    }

    @Test
    void perNodeAboveAHostsSlotsIsRefused()
    {
        final LaunchException error = assertThrows(LaunchException.class,
            () -> RankPlacement.place(2, new int[] {4, 1, 4}, NAMES, MapBy.SLOT, 2));
        assertTrue(error.getMessage().contains("--npernode 2") && error.getMessage().contains("n2"),
            error.getMessage());
    }
}
