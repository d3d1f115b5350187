// The code's layout: one style, checked by `npm run lint`.
export default {
  printWidth: 140,
  singleQuote: true,
  trailingComma: 'all',
};
