import { allPayloads } from './extract.js';
import { readXmlForest, elementChildren, type XElement } from '../../../src/psrp/clixml/xml.js';
const { clixml, stderr } = allPayloads('/work/shared/fixtures');
const orders = new Map<string, number>();
const dupNames: string[] = [];
const rootNames = new Map<string, number>();
const attrs = new Map<string, number>();
const walk = (el: XElement): void => {
  for (const k of el.attrs.keys()) attrs.set(`${el.name}@${k}`, (attrs.get(`${el.name}@${k}`) ?? 0) + 1);
  if (el.name === 'Obj') {
    const o = elementChildren(el).map((c) => (['TN', 'TNRef', 'ToString', 'Props', 'MS', 'LST', 'DCT', 'IE', 'STK', 'QUE'].includes(c.name) ? c.name : 'prim')).join(',');
    orders.set(o, (orders.get(o) ?? 0) + 1);
  }
  if (el.name === 'MS' || el.name === 'Props') {
    const names = elementChildren(el).map((c) => c.attrs.get('N'));
    if (new Set(names).size !== names.length) dupNames.push(names.join('|'));
  }
  for (const c of elementChildren(el)) walk(c);
};
for (const p of [...clixml, ...stderr]) {
  const xml = p.xml.replace(/^#< CLIXML\r?\n/, '');
  for (const r of readXmlForest(xml, { maxDepth: 1000, maxElements: 1e7 })) { rootNames.set(r.name, (rootNames.get(r.name) ?? 0) + 1); walk(r); }
}
console.log([...orders].sort((a, b) => b[1] - a[1]));
console.log('dups', dupNames.slice(0, 5), dupNames.length);
console.log(rootNames, attrs);
