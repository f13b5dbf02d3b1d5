import { z } from 'zod';

export const ITEM_EXAMPLE = {
  id: '42',
  name: 'kettle',
  description: 'Stainless, 1.7 l',
  tags: ['kitchen'],
  version: 1,
  createdAt: '2026-01-02T03:04:05.678Z',
  updatedAt: '2026-01-02T03:04:05.678Z',
};

/** An item as the API shows it: the documented model and the serializer's schema. */
export const itemSchema = z
  .object({
    id: z.string().meta({ description: 'A positive bigint, in decimal.', examples: ['42'] }),
    name: z.string(),
    description: z.string().nullable(),
    tags: z.array(z.string()),
    version: z
      .int()
      .min(1)
      .meta({
        description:
          'Bumped by every write; part of the ETag. At most 2147483647: an item there takes no ' +
          'more changes (409 ITEM_VERSION_EXHAUSTED).',
      }),
    createdAt: z.string().meta({ format: 'date-time' }),
    updatedAt: z.string().meta({ format: 'date-time' }),
  })
  .meta({ id: 'Item', examples: [ITEM_EXAMPLE] });

/** One keyset page of items. */
export const itemPageSchema = z
  .object({
    items: z.array(itemSchema),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  })
  .meta({ id: 'ItemPage' });

export type Item = z.output<typeof itemSchema>;

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
