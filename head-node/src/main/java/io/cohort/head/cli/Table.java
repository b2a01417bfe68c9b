package io.cohort.head.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain text table for people: columns padded to their widest cell.
 *
 * <pre>{@code
 * Table table = new Table("ID", "STATE");
 * table.row("42", "RUNNING");
 * table.print(out);
 * }</pre>
 */
public final class Table
{
    private final List<String[]> rows = new ArrayList<>();

    /**
     * A table with these headings.
     *
     * @param headings the column headings
     */
    public Table(final String... headings)
    {
        rows.add(headings.clone());
    }

    /**
     * Adds a row (null cells print as '-').
     *
     * @param cells the cells
     */
    public void row(final String... cells)
    {
        rows.add(cells.clone());
    }

    /**
     * Prints the table.
     *
     * @param out where
     */
    public void print(final PrintWriter out)
    {
        final int columns = rows.get(0).length;
        final int[] width = new int[columns];
        for (final String[] row : rows)
        {
            for (int i = 0; i < columns; i++)
            {
                width[i] = Math.max(width[i], cell(row, i).length());
            }
        }
        for (final String[] row : rows)
        {
            final StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++)
            {
                line.append(cell(row, i));
                if (i + 1 < columns)
                {
                    line.append(" ".repeat(width[i] - cell(row, i).length() + 2));
                }
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    private static String cell(final String[] row, final int i)
    {
        return i < row.length && row[i] != null ? row[i] : "-";
    }
}
