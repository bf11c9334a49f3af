import { useFieldMapping, useMappableFields } from "../api/fieldMappingQueries";
import { ProblemBanner } from "../components/Banner";
import { MappingEditor } from "../components/MappingEditor";
import { PageHeader } from "../components/PageHeader";
import { LoadingState } from "../components/States";
import { useDocumentTitle } from "../lib/hooks";

/** Which Pipedrive fields each sync writes onto which Brevo attributes (DESIGN §8, §10). */
export function FieldMappingPage() {
  useDocumentTitle("Field mapping");
  const mapping = useFieldMapping();
  const fields = useMappableFields();

  let body;
  if (mapping.data && fields.data) {
    // Data first: a failed background refetch must not unmount the editor and its edits.
    body = <MappingEditor saved={mapping.data} fields={fields.data} />;
  } else if (mapping.isError) {
    body = (
      <ProblemBanner title="Could not load the field mapping" error={mapping.error} onRetry={() => void mapping.refetch()} />
    );
  } else if (fields.isError) {
    // The pickers need both accounts' fields; the server's message names the API that failed.
    body = (
      <ProblemBanner
        title="Could not load the fields from Pipedrive and Brevo"
        error={fields.error}
        onRetry={() => void fields.refetch()}
      />
    );
  } else {
    body = <LoadingState label="Loading the field mapping…" />;
  }

  return (
    <>
      <PageHeader
        title="Field mapping"
        description="The Pipedrive person fields each sync writes onto Brevo contact attributes. One mapping serves every filter: attributes belong to the contact, not to a list."
      />
      {body}
    </>
  );
}
