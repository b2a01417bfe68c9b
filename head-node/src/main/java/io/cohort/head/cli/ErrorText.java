package io.cohort.head.cli;

import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * What a failed command says to a person. The JDK's file errors carry only a path as their message ("start:
 * /etc/passwd"); this names what was wrong with it.
 */
public final class ErrorText
{
    private ErrorText()
    {
    }

    /**
     * The message for an error, with file-system errors spelled out.
     *
     * @param error what went wrong
     * @return one line for a person
     */
    public static String describe(final Throwable error)
    {
        if (error instanceof FileSystemException files)
        {
            final String path = files.getFile();
            final String other = files.getOtherFile() == null ? "" : " (and " + files.getOtherFile() + ")";
            final String reason = files.getReason() == null ? "" : ": " + files.getReason();
            return switch (files)
            {
                case NoSuchFileException missing -> "no such file or directory: " + path + other;
                case AccessDeniedException denied -> "permission denied: " + path + other;
                case NotDirectoryException notDir -> path + " is not a directory";
                case FileAlreadyExistsException exists -> path + " exists and is not a directory (or is in the way)";
                case DirectoryNotEmptyException notEmpty -> path + " is a directory that is not empty";
                default -> "cannot use " + path + other + reason;
            };
        }
        if (error instanceof CharacterCodingException)
        {
            return "not UTF-8 text (" + error.getClass().getSimpleName() + ")";
        }
        return error.getMessage() == null ? error.toString() : error.getMessage();
    }
}
