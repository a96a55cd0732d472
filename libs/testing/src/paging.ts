/** A page of a list as a test reads it over HTTP. */
export interface ListPage {
  status: number;
  body: { items: unknown[]; next: string | null };
}

/**
 * Reads a list page by page, following `next` (which must match `nextMatches`), while `write`
 * adds rows again and again meanwhile, as readers and writers meet in production: the reads do
 * not wait for the projection. Returns the ids seen, in order, and how many writes landed while
 * paging (a test should see some, or it proved nothing about concurrent writes).
 */
export async function pageWhileWriting(options: {
  read: (pathAndQuery: string) => Promise<ListPage>;
  first: string;
  /** The path the `next` links start with, e.g. `/offers`. */
  path: string;
  nextMatches: RegExp;
  ids: (page: ListPage) => string[];
  /** One write; given how many landed before it. */
  write: (written: number) => Promise<unknown>;
}): Promise<{ seen: string[]; written: number }> {
  let writing = true;
  let written = 0;
  const writer = (async () => {
    while (writing) {
      await options.write(written);
      written += 1;
    }
  })();
  const seen: string[] = [];
  try {
    let page = await options.read(`${options.path}${options.first}`);
    for (;;) {
      if (page.status !== 200) throw new Error(`a page answered ${page.status}: ${JSON.stringify(page.body)}`);
      seen.push(...options.ids(page));
      if (!page.body.next) break;
      if (!options.nextMatches.test(page.body.next)) throw new Error(`next link ${page.body.next} does not match ${options.nextMatches}`);
      page = await options.read(page.body.next);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { seen, written };
  } finally {
    writing = false;
    await writer;
  }
}
