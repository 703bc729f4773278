package io.kvstore.cli.check;

import java.util.Optional;

/**
 * The sequential specification of one key: an immutable state that says whether an operation, with
 * the result the client observed, could have happened next, and what the state is after it.
 *
 * <p>Implementations must be immutable values with {@code equals} and {@code hashCode} over the
 * state: the search memoizes (linearized operations, state) pairs, and two paths that reach equal
 * states are explored once. A cheap {@code hashCode} matters, it is computed on every step.
 */
public interface Model {

  /**
   * The state after {@code op} if it could take effect now with the result it reported, or empty if
   * it could not. An indeterminate operation has no observed result: the model only applies its
   * effect (the search separately considers it never having happened).
   *
   * @throws IllegalArgumentException if the model has no such operation or its value is malformed
   */
  Optional<Model> step(Operation op);

  /**
   * Whether {@code op} never changes the state. An indeterminate read-only operation constrains
   * nothing and changes nothing, so the checker drops it before searching.
   */
  boolean isReadOnly(Operation op);
}
