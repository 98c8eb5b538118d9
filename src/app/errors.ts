/** A refusal of an operator action, with a reason meant for the operator as it is (bad input, wrong mode, unknown ticker). */
export class OperatorError extends Error {
  override readonly name: string = 'OperatorError';
}
