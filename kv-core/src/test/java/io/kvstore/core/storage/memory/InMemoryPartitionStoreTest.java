package io.kvstore.core.storage.memory;

import io.kvstore.core.storage.PartitionStore;
import io.kvstore.core.storage.PartitionStoreContract;
import java.nio.file.Path;

class InMemoryPartitionStoreTest extends PartitionStoreContract {
  @Override
  protected PartitionStore open(Path dir) {
    return new InMemoryPartitionStore();
  }

  @Override
  protected boolean persistent() {
    return false;
  }
}
