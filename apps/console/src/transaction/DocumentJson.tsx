import { CodeBlock } from '../components/CodeBlock';

export function DocumentJson({ document }: { document: Record<string, unknown> | null }) {
  return (
    <section className="panel">
      <h2>JSON</h2>
      {document ? (
        <details open>
          <summary>Translated document</summary>
          <CodeBlock text={JSON.stringify(document, null, 2)} />
        </details>
      ) : (
        <p className="muted">No translated document: translation did not get that far.</p>
      )}
    </section>
  );
}
