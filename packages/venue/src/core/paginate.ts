// Owns Tastytrade's page envelope for list endpoints (orders, transactions): one page of the matching items and the
// `pagination` object as the API sends it.
export interface Page<T> {
  items: T[];
  pagination: Record<string, unknown>;
}

export function paginate<T>(
  matching: readonly T[],
  perPageAsked: number | undefined,
  pageOffsetAsked: number | undefined,
  defaultPerPage: number,
): Page<T> {
  const perPage = Math.max(1, Math.min(perPageAsked ?? defaultPerPage, 2000));
  const pageOffset = Math.max(0, pageOffsetAsked ?? 0);
  const items = matching.slice(pageOffset * perPage, (pageOffset + 1) * perPage);
  return {
    items,
    pagination: {
      'per-page': perPage,
      'page-offset': pageOffset,
      'item-offset': pageOffset * perPage,
      'total-items': matching.length,
      'total-pages': Math.ceil(matching.length / perPage),
      'current-item-count': items.length,
      'previous-link': null,
      'next-link': null,
      'paging-link-template': null,
    },
  };
}
