// Gives the client tests a real IndexedDB implementation in happy-dom.
import 'fake-indexeddb/auto';
