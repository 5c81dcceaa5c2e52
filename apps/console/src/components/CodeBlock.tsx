/** Preformatted X12 or JSON. It scrolls when long, so it takes focus: keyboard users can scroll it too. */
export function CodeBlock({ text }: { text: string }) {
  return (
    <pre className="code" tabIndex={0}>
      {text}
    </pre>
  );
}
