package io.cohort.examples;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.ReduceOp;

/**
 * Solves the Poisson equation -Δu = f on the unit square (zero on the boundary) with the conjugate-gradient method,
 * the grid's rows split in blocks across the ranks: each step is one halo exchange with the neighbouring ranks
 * (point-to-point) and two dot products (allreduce). The right-hand side comes from u = x(1-x) y(1-y), which the
 * 5-point stencil differentiates exactly, so the discrete solution is u itself at the grid points: rank 0 checks
 * the residual and the error against u.
 * <pre>{@code cohort run -n 4 -cp examples/target/cohort-examples.jar io.cohort.examples.ConjugateGradient 128}</pre>
 */
public final class ConjugateGradient
{
    private static final int UP = 1;
    private static final int DOWN = 2;

    private final Communicator world;
    private final int n;
    private final int rows;
    private final int firstRow;
    private final double inverseH2;

    private ConjugateGradient(final Communicator world, final int n)
    {
        this.world = world;
        this.n = n;
        final int size = world.size();
        final int rank = world.rank();
        this.firstRow = (int) ((long) n * rank / size);
        this.rows = (int) ((long) n * (rank + 1) / size) - firstRow;
        final double h = 1.0 / (n + 1);
        this.inverseH2 = 1.0 / (h * h);
    }

    /**
     * Runs one rank.
     *
     * @param args optionally the number of interior grid points per side (default 128)
     */
    public static void main(final String[] args)
    {
        final int n = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        try (Cohort cohort = Cohort.init(args))
        {
            new ConjugateGradient(cohort.world(), n).solve();
        }
    }

    /** Vectors have one halo row above and below the rank's own rows. */
    private double[] vector()
    {
        return new double[(rows + 2) * n];
    }

    private void solve()
    {
        final double h = 1.0 / (n + 1);
        final double[] x = vector();
        final double[] r = vector();
        final double[] p = vector();
        final double[] ap = vector();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < n; j++)
            {
                final double gx = (firstRow + i + 1) * h;
                final double gy = (j + 1) * h;
                r[(i + 1) * n + j] = 2 * (gx * (1 - gx) + gy * (1 - gy));
            }
        }
        System.arraycopy(r, 0, p, 0, r.length);
        double rr = dot(r, r);
        final double tolerance = 1e-10 * Math.sqrt(rr);
        int iterations = 0;
        while (Math.sqrt(rr) > tolerance && iterations < 10 * n)
        {
            exchangeHalo(p);
            applyLaplacian(p, ap);
            final double alpha = rr / dot(p, ap);
            for (int k = n; k < (rows + 1) * n; k++)
            {
                x[k] += alpha * p[k];
                r[k] -= alpha * ap[k];
            }
            final double next = dot(r, r);
            final double beta = next / rr;
            rr = next;
            for (int k = n; k < (rows + 1) * n; k++)
            {
                p[k] = r[k] + beta * p[k];
            }
            iterations++;
        }
        final double error = maxError(x);
        if (world.rank() == 0)
        {
            final boolean ok = Math.sqrt(rr) <= tolerance && error < 1e-8;
            System.out.printf("cg: %s, %d iterations on a %dx%d grid over %d ranks, residual %.2e, error %.2e%n",
                ok ? "OK" : "FAILED", iterations, n, n, world.size(), Math.sqrt(rr), error);
            if (!ok)
            {
                System.exit(1);
            }
        }
    }

    /** Fills the halo rows with the neighbours' edge rows (zero at the domain's boundary). */
    private void exchangeHalo(final double[] v)
    {
        final int rank = world.rank();
        final int size = world.size();
        if (rank > 0)
        {
            world.sendrecv(v, n, n, rank - 1, UP, v, 0, n, rank - 1, DOWN);
        }
        if (rank < size - 1)
        {
            world.sendrecv(v, rows * n, n, rank + 1, DOWN, v, (rows + 1) * n, n, rank + 1, UP);
        }
    }

    /** ap = A p for the 5-point Laplacian on the rank's rows. */
    private void applyLaplacian(final double[] p, final double[] ap)
    {
        for (int i = 1; i <= rows; i++)
        {
            for (int j = 0; j < n; j++)
            {
                final int k = i * n + j;
                final double left = j > 0 ? p[k - 1] : 0;
                final double right = j < n - 1 ? p[k + 1] : 0;
                ap[k] = (4 * p[k] - p[k - n] - p[k + n] - left - right) * inverseH2;
            }
        }
    }

    private double dot(final double[] a, final double[] b)
    {
        double local = 0;
        for (int k = n; k < (rows + 1) * n; k++)
        {
            local += a[k] * b[k];
        }
        final double[] sum = new double[1];
        world.allreduce(new double[] {local}, 0, sum, 0, 1, ReduceOp.SUM);
        return sum[0];
    }

    private double maxError(final double[] x)
    {
        final double h = 1.0 / (n + 1);
        double local = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < n; j++)
            {
                final double gx = (firstRow + i + 1) * h;
                final double gy = (j + 1) * h;
                final double exact = gx * (1 - gx) * gy * (1 - gy);
                local = Math.max(local, Math.abs(x[(i + 1) * n + j] - exact));
            }
        }
        final double[] max = new double[1];
        world.allreduce(new double[] {local}, 0, max, 0, 1, ReduceOp.MAX);
        return max[0];
    }
}
