package dev.tally.guard;

/** The client closed its connection before its answer was ready; its work was stopped. Nobody reads a reply. */
public final class ClientGone extends RuntimeException {

    public ClientGone() {
        super("the client went away; its work was stopped", null, false, false);
    }
}
