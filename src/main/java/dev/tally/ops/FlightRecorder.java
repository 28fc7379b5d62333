package dev.tally.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;

import jakarta.inject.Singleton;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * JDK Flight Recorder on demand: one recording with the JDK's own {@code profile} settings (execution samples every
 * 10 ms, parks and monitor waits over 10 ms, GC pauses, pinned virtual threads), written to a fresh temp file. Its
 * methods block on file I/O: call them off the event loop.
 */
@Singleton
public class FlightRecorder {

    /** Starts a recording now. */
    Recording start() {
        try {
            Recording recording = new Recording(Configuration.getConfiguration("profile"));
            recording.setName("tally-on-demand");
            recording.setToDisk(true);
            recording.start();
            return recording;
        } catch (IOException e) {
            throw new UncheckedIOException("the JDK's profile settings could not be read", e);
        } catch (ParseException e) {
            throw new IllegalStateException("the JDK's profile settings could not be parsed", e);
        }
    }

    /** Stops {@code recording} and writes it to a new file in a new temp directory (delete both when done). */
    Path finish(Recording recording) {
        try (recording) {
            recording.stop();
            Path file = Files.createTempDirectory("tally-recording").resolve("recording.jfr");
            recording.dump(file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("the recording could not be written", e);
        }
    }
}
