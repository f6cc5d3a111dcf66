package dev.nestlet.idmap;

/**
 * A range held by one container: allocated from the pool, or adopted from a mapping the engine had
 * already written (then it lies outside the pool).
 */
public record Allocation(String id, IdRange range, boolean adopted) {}
