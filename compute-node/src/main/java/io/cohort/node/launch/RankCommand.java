package io.cohort.node.launch;

import io.cohort.mpi.Cohort;
import io.cohort.transport.Transport;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Turns a {@link Program} into the command line of one rank process, checking first that it can start: the jar
 * exists and names a main class, the class is on the classpath, the executable is on PATH. Every Java rank gets
 * Cohort's runtime (mpi-bridge, transport, Agrona, Netty) ahead of the program's own classpath.
 */
public final class RankCommand
{
    /** JVM options every Java rank gets: FFM access, and the JDK-internal Unsafe that Agrona 2 is built on. */
    public static final List<String> BASE_JVM_OPTIONS =
        List.of("--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    /** One class of each jar a rank needs besides the program: Cohort, Agrona, Netty (the TCP transport). */
    private static final List<Class<?>> RUNTIME_CLASSES = List.of(Cohort.class, Transport.class,
        org.agrona.BitUtil.class, io.netty.util.concurrent.EventExecutor.class, io.netty.buffer.ByteBuf.class,
        io.netty.channel.Channel.class, io.netty.resolver.AddressResolver.class,
        io.netty.channel.unix.Socket.class, io.netty.channel.epoll.Epoll.class);

    private static final String EPOLL_LIBRARY = "META-INF/native/libnetty_transport_native_epoll_x86_64.so";

    private RankCommand()
    {
    }

    /**
     * Builds and checks the command for every rank of a job.
     *
     * @param spec the job
     * @return the command line (the same for every rank; ranks differ by environment)
     * @throws LaunchException naming what cannot start
     */
    public static List<String> of(final LaunchSpec spec)
    {
        final List<String> command = new ArrayList<>();
        switch (spec.program())
        {
            case Program.Jar jar ->
            {
                final String main = mainClassOf(jar.jar());
                javaPrefix(command, spec, List.of(jar.jar().toString()));
                command.add(main);
            }
            case Program.MainClass mc ->
            {
                checkClass(mc.classpath(), mc.mainClass());
                javaPrefix(command, spec, mc.classpath());
                command.add(mc.mainClass());
            }
            case Program.Executable exe -> command.add(resolveExecutable(exe.executable()));
        }
        command.addAll(spec.arguments());
        return command;
    }

    /**
     * The classpath entries of Cohort's runtime, as found from where its classes were loaded.
     *
     * @return jar files or class directories
     */
    public static List<String> runtimeClasspath()
    {
        final Set<String> entries = new LinkedHashSet<>();
        for (final Class<?> type : RUNTIME_CLASSES)
        {
            entries.add(location(type.getName(), type.getProtectionDomain().getCodeSource() == null ? null
                : type.getProtectionDomain().getCodeSource().getLocation()));
        }
        // Netty's epoll library is a jar of native code only: found by its resource, when it is there.
        final URL epoll = RankCommand.class.getClassLoader().getResource(EPOLL_LIBRARY);
        if (epoll != null && "jar".equals(epoll.getProtocol()))
        {
            final String path = epoll.getPath();
            entries.add(Path.of(java.net.URI.create(path.substring(0, path.indexOf("!/")))).toString());
        }
        return new ArrayList<>(entries);
    }

    private static String location(final String what, final URL url)
    {
        try
        {
            return Path.of(url.toURI()).toString();
        }
        catch (final URISyntaxException | NullPointerException ex)
        {
            throw new LaunchException("cannot locate Cohort's runtime (" + what + ") to put on the ranks' classpath",
                ex);
        }
    }

    private static void javaPrefix(final List<String> command, final LaunchSpec spec, final List<String> classpath)
    {
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(BASE_JVM_OPTIONS);
        command.addAll(spec.jvmOptions());
        final List<String> all = new ArrayList<>(runtimeClasspath());
        all.addAll(classpath);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, all));
    }

    private static String mainClassOf(final Path jar)
    {
        if (!Files.isRegularFile(jar))
        {
            throw new LaunchException("jar file '" + jar + "' not found" + (jar.toString().endsWith(".jar") ? ""
                : "; to run an executable use 'cohort run -n N -- " + jar + "'"));
        }
        try (JarFile file = new JarFile(jar.toFile()))
        {
            final Manifest manifest = file.getManifest();
            final String main = manifest == null ? null : manifest.getMainAttributes().getValue("Main-Class");
            if (main == null || main.isBlank())
            {
                throw new LaunchException("jar file '" + jar + "' names no Main-Class in its manifest; use "
                    + "'cohort run -n N -cp " + jar + " MAINCLASS'");
            }
            return main.trim();
        }
        catch (final IOException ex)
        {
            throw new LaunchException("'" + jar + "' is not a readable jar file: " + ex.getMessage(), ex);
        }
    }

    private static void checkClass(final List<String> classpath, final String mainClass)
    {
        final List<URL> urls = new ArrayList<>();
        for (final String entry : classpath)
        {
            final Path path = Path.of(entry);
            if (entry.endsWith("*"))
            {
                continue;
            }
            if (!Files.exists(path))
            {
                throw new LaunchException("classpath entry '" + entry + "' does not exist");
            }
            try
            {
                urls.add(path.toUri().toURL());
            }
            catch (final MalformedURLException ex)
            {
                throw new LaunchException("classpath entry '" + entry + "' is not a valid path", ex);
            }
        }
        final boolean wildcard = classpath.stream().anyMatch(e -> e.endsWith("*"));
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader()))
        {
            if (!wildcard && loader.getResource(mainClass.replace('.', '/') + ".class") == null)
            {
                throw new LaunchException("main class '" + mainClass + "' not found on the classpath '"
                    + String.join(File.pathSeparator, classpath) + "'");
            }
        }
        catch (final IOException ex)
        {
            throw new LaunchException("cannot read the classpath '" + String.join(File.pathSeparator, classpath)
                + "': " + ex.getMessage(), ex);
        }
    }

    private static String resolveExecutable(final String executable)
    {
        if (executable.contains("/"))
        {
            if (!Files.isExecutable(Path.of(executable)))
            {
                throw new LaunchException("program '" + executable + "' does not exist or is not executable");
            }
            return executable;
        }
        final String path = System.getenv().getOrDefault("PATH", "");
        for (final String dir : path.split(File.pathSeparator))
        {
            final Path candidate = Path.of(dir.isEmpty() ? "." : dir, executable);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate))
            {
                return candidate.toString();
            }
        }
        throw new LaunchException("program '" + executable + "' not found on PATH (" + path + ")");
    }
}
