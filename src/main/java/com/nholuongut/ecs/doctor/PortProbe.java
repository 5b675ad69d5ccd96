package com.nholuongut.ecs.doctor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** One-method seam: can a TCP connection be opened to {@code address:port}? */
@FunctionalInterface
public interface PortProbe {

    /** Connects with a plain socket and closes it again. */
    PortProbe TCP = (address, port, timeout) -> {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    };

    boolean reachable(String address, int port, Duration timeout);
}
