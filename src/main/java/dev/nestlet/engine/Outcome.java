package dev.nestlet.engine;

/**
 * What an engine command did: the text for stdout (ISO-8859-1, so diffs show the files' own bytes)
 * and whether it succeeded (for status: whether nestlet is registered).
 */
public record Outcome(boolean ok, String text) {}
