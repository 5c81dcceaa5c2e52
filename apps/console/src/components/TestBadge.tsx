/** Marks test data (a partner in test mode, ISA15 T): nothing of it was ordered for real. */
export function TestBadge({ test }: { test: boolean | undefined }) {
  if (!test) return null;
  return (
    <span className="badge badge--test" title="Test data (ISA15 T): no real order was made">
      test
    </span>
  );
}
