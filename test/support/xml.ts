// A small XML parser for tests: checks well-formedness (one root, tags nested and closed, quoted
// attributes without duplicates, `<` and `&` only as markup or known entities) and returns the
// element tree, so a test can look at what an SVG file holds. Throws with the offset of the fault.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, entities decoded. */
  text: string;
}

const namePattern = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const entityPattern = /^&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/;

function decode(text: string, offset: number): string {
  return text.replace(/&[^;]*;?/g, (entity, at: number) => {
    if (!entityPattern.test(text.slice(at))) throw new Error(`Bad entity ${JSON.stringify(entity.slice(0, 12))} at ${offset + at}`);
    const named: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" };
    if (named[entity]) return named[entity];
    return String.fromCodePoint(entity[2] === 'x' ? parseInt(entity.slice(3, -1), 16) : Number(entity.slice(2, -1)));
  });
}

export function parseXml(source: string): XmlElement {
  let index = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (message: string): never => {
    throw new Error(`${message} at offset ${index}: ${JSON.stringify(source.slice(index, index + 40))}`);
  };
  while (index < source.length) {
    const next = source.indexOf('<', index);
    const text = source.slice(index, next === -1 ? source.length : next);
    if (text.trim() !== '') {
      if (stack.length === 0) fail('Text outside the root element');
      stack[stack.length - 1].text += decode(text, index);
    }
    if (next === -1) break;
    index = next;
    if (source.startsWith('<?', index)) {
      const end = source.indexOf('?>', index);
      if (end === -1 || root) fail('Unclosed or misplaced processing instruction');
      index = end + 2;
    } else if (source.startsWith('<!--', index)) {
      const end = source.indexOf('-->', index);
      if (end === -1) fail('Unclosed comment');
      index = end + 3;
    } else if (source.startsWith('<![CDATA[', index)) {
      const end = source.indexOf(']]>', index);
      if (end === -1 || stack.length === 0) fail('Bad CDATA section');
      stack[stack.length - 1].text += source.slice(index + 9, end);
      index = end + 3;
    } else if (source.startsWith('</', index)) {
      const name = namePattern.exec(source.slice(index + 2))?.[0] ?? fail('Bad closing tag');
      const open = stack.pop();
      if (!open || open.name !== name) fail(`Closing </${name}> does not match <${open?.name ?? 'nothing'}>`);
      index += 2 + name.length;
      while (/\s/.test(source[index] ?? '')) index++;
      if (source[index] !== '>') fail('Bad closing tag');
      index++;
    } else {
      index++;
      const name = namePattern.exec(source.slice(index))?.[0] ?? fail('Bad tag name');
      index += name.length;
      const element: XmlElement = { name, attributes: {}, children: [], text: '' };
      for (;;) {
        const spaced = /^\s+/.exec(source.slice(index));
        if (spaced) index += spaced[0].length;
        if (source.startsWith('/>', index) || source[index] === '>') break;
        if (!spaced) fail('Attributes must be separated by space');
        const attribute = /^([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("[^"<]*"|'[^'<]*')/.exec(source.slice(index)) ?? fail('Bad attribute');
        if (attribute[1] in element.attributes) fail(`Duplicate attribute ${attribute[1]}`);
        element.attributes[attribute[1]] = decode(attribute[2].slice(1, -1), index);
        index += attribute[0].length;
      }
      if (stack.length > 0) stack[stack.length - 1].children.push(element);
      else if (root) fail('A second root element');
      else root = element;
      if (source.startsWith('/>', index)) {
        index += 2;
      } else {
        index += 1;
        stack.push(element);
      }
    }
  }
  if (stack.length > 0) throw new Error(`Unclosed <${stack[stack.length - 1].name}> at the end`);
  if (!root) throw new Error('No root element');
  return root;
}

/** Every element below (and including) `element`, depth first. */
export function allElements(element: XmlElement): XmlElement[] {
  return [element, ...element.children.flatMap(allElements)];
}
