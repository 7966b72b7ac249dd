import {z} from 'zod';

/** The run directory's manifest of the images and files its cases sent (see docs/run-directory.md). */
export const RUN_MEDIA_FILE = 'media.json';
/** Where the kept images are, one file per distinct image: media/<digest>.<ext>. */
export const RUN_MEDIA_DIR = 'media';

/**
 * An image over this many bytes is not kept: the report embeds every kept image, and a thumbnail
 * needs no more (a 16×16 PNG is under 100 bytes, a phone photo megabytes).
 */
export const MEDIA_MAX_BYTES = 64 * 1024;
/** All kept images of a run together: past this, images become placeholders, so the report stays light. */
export const MEDIA_RUN_MAX_BYTES = 1024 * 1024;

/** Why a part has no file in media/: a PDF (never kept), an image over MEDIA_MAX_BYTES, or one past the run's budget. */
export const mediaOmittedSchema = z.enum(['document', 'large', 'budget']);

export const mediaEntrySchema = z.object({
  /** The digest in the part's `[image <digest>]` marker: 12 hex digits of the SHA-256 of its bytes (or its URL). */
  digest: z.string().regex(/^[0-9a-f]{12}$/),
  type: z.enum(['image', 'file']),
  mediaType: z.string().min(1),
  /** The suite's path or URL, for people. */
  name: z.string(),
  /** Byte size; null for a URL (never fetched). */
  bytes: z.number().int().nonnegative().nullable(),
  /** Relative path of the kept copy (media/<digest>.<ext>), null when not kept. */
  file: z.string().regex(/^media\/[0-9a-f]{12}\.(png|jpg|webp|gif)$/).nullable(),
  url: z.string().optional(),
  omitted: mediaOmittedSchema.optional(),
});

export const runMediaSchema = z.object({
  v: z.literal(1),
  media: z.array(mediaEntrySchema),
});

export type MediaEntry = z.infer<typeof mediaEntrySchema>;
export type RunMediaManifest = z.infer<typeof runMediaSchema>;

/** The file extension a kept image of this media type gets. */
export const IMAGE_EXTENSIONS: Readonly<Record<string, string>> = {'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif'};
