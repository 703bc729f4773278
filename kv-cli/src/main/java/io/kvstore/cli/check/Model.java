package io.kvstore.cli.check;

import java.util.List;
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
   * The operations of one key without indeterminate ones whose effect, if they had any, no other
   * operation could have observed. Dropping such an operation changes no verdict: in any
   * linearization that contains it, nothing between it and the next overwrite depends on it, so it
   * can be removed, and a linearization without it is also one with it dropped. It matters for
   * speed: an indeterminate operation that never took effect otherwise stays a candidate for the
   * rest of the search and multiplies the work of every failing branch.
   *
   * <p>Must keep every ok operation. The default keeps everything, which is always correct.
   */
  default List<Operation> withoutUnobservable(List<Operation> ops) {
    return ops;
  }
}
