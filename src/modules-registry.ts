// Discovers modules by folder (modules/<name>/index.js exporting `default` Module) and validates
// their args with ajv. The engine knows no module by name.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Problem } from './errors.js';
import type { Module, ModuleHandler } from './module.js';
import type { Vars } from './playbook/types.js';
import { ajvProblems, compileSchema, type SchemaValidator } from './validate/ajv.js';

export interface ModuleRegistry {
  /** The module by its name or one of its aliases. */
  get(name: string): Module | undefined;
  /** Module names (aliases not included). */
  names(): string[];
  /** Modules here that do the job of the (unknown) module `name`, e.g. an Ansible module. */
  coveredBy(name: string): string[];
  /**
   * ajv over `args` (defaults are filled in place). Positions come from `args`, then from
   * `argsRoot` (the args as loaded, whose keys carry YAML positions). `skip` drops errors at
   * paths that cannot be judged yet (values still holding templates at load time).
   */
  validateArgs(name: string, args: Vars, argsRoot: object, skip?: (path: (string | number)[]) => boolean): Problem[];
  /** Handlers that modules list, by key (e.g. "systemd daemon-reload"), in their run order. */
  handlers(): Map<string, RegisteredHandler>;
}

export interface RegisteredHandler extends ModuleHandler {
  /** The first module that lists it. */
  module: string;
}

/** Modules linked into the one-file CLI bundle at build time, in folder order. */
let bundled: readonly Module[] | undefined;

export function useBundledModules(modules: readonly Module[]): void {
  bundled = modules;
}

/** The modules of `modulesDir` (modules/<name>/index.js exporting `default`), or the bundle's own. */
export async function loadModuleRegistry(modulesDir: string): Promise<ModuleRegistry> {
  if (bundled) return moduleRegistry(bundled.map((mod) => ({ mod, file: `modules/${mod.name}` })));
  const entries = existsSync(modulesDir) ? readdirSync(modulesDir, { withFileTypes: true }) : [];
  const found: { mod: Module; file: string }[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const file = join(modulesDir, entry.name, 'index.js');
    if (!existsSync(file)) continue;
    const loaded = (await import(pathToFileURL(file).href)) as { default?: Module };
    const mod = loaded.default;
    if (!mod || typeof mod.diff !== 'function' || typeof mod.needs !== 'function' || typeof mod.schema !== 'object') {
      throw new Error(`${file}: the default export is not a module (needs name, schema, needs(), diff())`);
    }
    if (mod.name !== entry.name) throw new Error(`${file}: module name "${mod.name}" differs from its folder "${entry.name}"`);
    found.push({ mod, file });
  }
  return moduleRegistry(found);
}

function moduleRegistry(found: { mod: Module; file: string }[]): ModuleRegistry {
  const modules = new Map<string, Module>();
  const validators = new Map<string, SchemaValidator>();
  const listed = new Map<string, { handler: ModuleHandler; module: string }>();
  const aliases = new Map<string, string>();
  const covers = new Map<string, string[]>();
  for (const { mod, file } of found) {
    try {
      validators.set(mod.name, compileSchema(mod.schema));
    } catch (e) {
      throw new Error(`${file}: invalid args schema: ${(e as Error).message}`, { cause: e });
    }
    modules.set(mod.name, mod);
    for (const alias of mod.aliases ?? []) {
      const other = aliases.get(alias) ?? (modules.has(alias) ? alias : undefined);
      if (other && other !== mod.name) throw new Error(`${file}: alias "${alias}" is already taken by module "${other}"`);
      aliases.set(alias, mod.name);
    }
    for (const covered of mod.covers ?? []) covers.set(covered, [...(covers.get(covered) ?? []), mod.name]);
    for (const h of mod.handlers ?? []) {
      const other = listed.get(h.key);
      // Modules share a handler by listing the same object; a second declaration of a key is a bug.
      if (other && other.handler !== h)
        throw new Error(`${file}: handler "${h.key}" is declared again; module "${other.module}" declares it already`);
      if (!other) listed.set(h.key, { handler: h, module: mod.name });
    }
  }
  const handlers = new Map(
    [...listed.values()]
      .sort((a, b) => a.handler.order - b.handler.order || a.handler.key.localeCompare(b.handler.key))
      .map(({ handler, module }) => [handler.key, { ...handler, module }]),
  );
  const canonical = (name: string) => (modules.has(name) ? name : (aliases.get(name) ?? name));
  return {
    get: (name) => modules.get(canonical(name)),
    names: () => [...modules.keys()],
    coveredBy: (name) => covers.get(name) ?? covers.get(`ansible.builtin.${name}`) ?? [],
    handlers: () => handlers,
    validateArgs(name, args, argsRoot, skip) {
      const validate = validators.get(canonical(name));
      if (!validate) return [{ message: `unknown module "${name}"` }];
      if (validate(args)) return [];
      return ajvProblems(validate.errors, { roots: [args, argsRoot], basePath: name, skip });
    },
  };
}
