import { DomainError } from '@edi/contracts';

/** GS1 mod-10 check digit over the digits given (weights 3,1,3… from the right). */
export function gs1CheckDigit(digits: string): string {
  let sum = 0;
  for (let i = digits.length - 1, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3) sum += Number(digits[i]) * w;
  return String((10 - (sum % 10)) % 10);
}

/** SSCC-18: extension digit, GS1 company prefix and serial reference (17 digits together), then the check digit. */
export function sscc18(extension: number, companyPrefix: string, serial: number): string {
  const body = `${extension}${companyPrefix}${String(serial).padStart(16 - companyPrefix.length, '0')}`;
  if (!/^\d{17}$/.test(body))
    throw new DomainError('misconfigured', `SSCC body must be 17 digits, got ${body}`);
  return body + gs1CheckDigit(body);
}

export function isValidSscc(sscc: string): boolean {
  return /^\d{18}$/.test(sscc) && gs1CheckDigit(sscc.slice(0, 17)) === sscc[17];
}
