package io.kvstore.cli.check;

/**
 * What a history line records: the start of an operation or one of its three possible endings. The
 * ending decides what the checker may assume, because a client that got no answer cannot tell
 * whether its request was applied.
 */
public enum EventType {
  /** The client is about to send the request. */
  INVOKE("invoke"),
  /** The operation definitely took effect, between its invocation and this event. */
  OK("ok"),
  /** The operation definitely did not take effect; the checker removes it. */
  FAIL("fail"),
  /**
   * Indeterminate (timeout, connection reset after send, crash): it may have taken effect at any
   * time after its invocation, even after this event, or never.
   */
  INFO("info");

  private final String json;

  EventType(String json) {
    this.json = json;
  }

  /** The value of the {@code type} field in JSONL. */
  public String json() {
    return json;
  }

  static EventType fromJson(String s) {
    for (EventType t : values()) {
      if (t.json.equals(s)) {
        return t;
      }
    }
    throw new IllegalArgumentException("type must be invoke, ok, fail or info, not \"" + s + "\"");
  }
}
