import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { documentSchema, type MapRegistry, type Translation } from '@edi/mapping';

/**
 * An accepted set's canonical JSON must match the schema `edi maps schema` publishes for it:
 * partners build against that schema, so a translation outside it is our defect.
 */
export class SchemaCheck {
  // the maps write dates as YYYY-MM-DD, as the outbound composer checks them
  private readonly ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    formats: { date: /^\d{4}-\d{2}-\d{2}$/ },
  });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly registry: MapRegistry) {}

  /** Why the document is outside its schema, or undefined when it is inside. */
  problem(t: Translation): string | undefined {
    const validate = this.validator(t);
    if (validate(t.document)) return undefined;
    const first = validate.errors?.[0];
    return `${t.map} document ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`;
  }

  private validator(t: Translation): ValidateFunction {
    const [set, version] = t.map.split(/[/ ]/);
    const gs08 = t.document.version;
    const key = `${set}/${version}/${gs08 < '004' ? 'YYMMDD' : ''}`;
    let validate = this.validators.get(key);
    if (!validate) {
      const map = this.registry.get(set!, version!, undefined, gs08 < '004' ? 'YYMMDD' : undefined);
      // without its $id: the same set and version is compiled again for six-digit dates
      const { $id: _id, ...schema } = documentSchema(map);
      validate = this.ajv.compile(schema);
      this.validators.set(key, validate);
    }
    return validate;
  }
}
