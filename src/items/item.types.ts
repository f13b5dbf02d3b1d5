/** An item as the API shows it. */
export interface Item {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What a read serves: the item, its ETag, and its JSON body serialised once. */
export interface ItemRepresentation {
  item: Item;
  etag: string;
  body: string;
}

/** Fields a client may write. `description: null` clears it. */
export interface ItemInput {
  name?: string;
  description?: string | null;
  tags?: string[];
}
