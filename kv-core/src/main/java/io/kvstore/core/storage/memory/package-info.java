/** A heap-only partition store: for tests and as the reference engine of the storage contract. */
package io.kvstore.core.storage.memory;
