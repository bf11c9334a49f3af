// The field mapping's hooks (DESIGN §8), beside queries.ts for size; the same rules apply:
// pages never call the client, and cache keys and invalidation live next to the calls.

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, dataOf, type MappingEntry, type MappingPreviewRequest } from "./client";
import { queryKeys } from "./queries";

/** The stored mapping; never saved, the first and last name a sync writes by default. */
export function useFieldMapping() {
  return useQuery({
    queryKey: queryKeys.fieldMapping,
    queryFn: async ({ signal }) => dataOf(await api.GET("/api/field-mapping", { signal })),
  });
}

/**
 * Both sides of a mapping, asked live from Pipedrive and Brevo. An account's fields change
 * rarely, but when they do the operator is on this page to see it: a minute is enough.
 */
export function useMappableFields() {
  return useQuery({
    queryKey: queryKeys.mappableFields,
    queryFn: async ({ signal }) => dataOf(await api.GET("/api/field-mapping/fields", { signal })),
    staleTime: 60_000,
  });
}

/** Replaces the whole mapping; the answer is the mapping as stored (Brevo's spelling). */
export function useSaveFieldMapping() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (mappings: MappingEntry[]) =>
      dataOf(await api.PUT("/api/field-mapping", { body: { mappings } })),
    onSuccess: (saved) => {
      queryClient.setQueryData(queryKeys.fieldMapping, saved);
      // `exact`: the fields below the same prefix did not change by saving.
      void queryClient.invalidateQueries({ queryKey: queryKeys.fieldMapping, exact: true });
    },
  });
}

/** What a sync would write for one person of a filter, with a mapping not saved yet. */
export function usePreviewFieldMapping() {
  return useMutation({
    mutationFn: async (request: MappingPreviewRequest) =>
      dataOf(await api.POST("/api/field-mapping/preview", { body: request })),
  });
}
