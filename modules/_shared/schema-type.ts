// The args type a module's JSON schema describes, derived from the schema itself (written
// `as const`), so the schema is the one source of truth for both ajv and the compiler.
//
// Covers the keywords the modules' schemas use: `const`, `enum`, `type` (one or a list),
// `properties` with `required`, `additionalProperties` (false, or a map's values when there are
// no properties),
// `items`, `anyOf`/`oneOf` of value schemas, and `if`/`then`/`else` (either branch). On an object, `anyOf`/`oneOf`/`allOf` only
// add constraints (e.g. "content or src"): its properties stay as declared, optional unless
// `required` or given a `default` (ajv fills defaults before the module sees its args).

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type Primitive<T> = T extends 'string'
  ? string
  : T extends 'integer' | 'number'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? unknown[]
          : T extends 'object'
            ? Record<string, unknown>
            : never;

type RequiredNames<S> = S extends { required: readonly (infer R)[] } ? R : never;
type Present<S, P, K extends keyof P> = K extends RequiredNames<S> ? true : P[K] extends { default: unknown } ? true : false;

/** Without `additionalProperties: false`, names beyond the declared ones are allowed too. */
type Others<S> = S extends { additionalProperties: false } ? unknown : Record<string, unknown>;

type ObjectOf<S, P> = Simplify<
  { -readonly [K in keyof P as Present<S, P, K> extends true ? K : never]: FromSchema<P[K]> } & {
    -readonly [K in keyof P as Present<S, P, K> extends true ? never : K]?: FromSchema<P[K]>;
  } & Others<S>
>;

type MapOf<A> = A extends false ? Record<string, never> : A extends true ? Record<string, unknown> : Record<string, FromSchema<A>>;

/** The value type a JSON schema (declared `as const`) accepts. */
export type FromSchema<S> = S extends { const: infer C }
  ? C
  : S extends { enum: readonly (infer E)[] }
    ? E
    : S extends { then: infer T; else: infer E }
      ? FromSchema<T> | FromSchema<E>
      : S extends { properties: infer P }
        ? ObjectOf<S, P>
        : S extends { type: 'object'; additionalProperties: infer A }
          ? MapOf<A>
          : S extends { type: 'array'; items: infer I }
            ? FromSchema<I>[]
            : S extends { type: infer T }
              ? Primitive<T extends readonly (infer U)[] ? U : T>
              : S extends { anyOf: readonly (infer M)[] }
                ? FromSchema<M>
                : S extends { oneOf: readonly (infer M)[] }
                  ? FromSchema<M>
                  : unknown;
