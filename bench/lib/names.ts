/**
 * Names for generated people: common in Seine-Saint-Denis, with accents, apostrophes,
 * hyphens and spaces, so that the sort and search keys are exercised. Combined at
 * random, a few hundred names give tens of thousands of distinct people.
 */

export const FEMALE_FIRST_NAMES = [
  'Aïcha', 'Aïssatou', 'Alice', 'Amandine', 'Amel', 'Amina', 'Anaïs', 'Angélique', 'Anne', 'Anne-Marie', 'Assia', 'Aurélie',
  'Awa', 'Bintou', 'Brigitte', 'Camille', 'Caroline', 'Catherine', 'Céline', 'Chantal', 'Charlotte', 'Chloé', 'Christine',
  'Claire', 'Coralie', 'Corinne', 'Dalila', 'Delphine', 'Djeneba', 'Dominique', 'Élodie', 'Émilie', 'Emma', 'Fanta', 'Fatima',
  'Fatou', 'Fatoumata', 'Florence', 'Francine', 'Françoise', 'Giulia', 'Hawa', 'Hélène', 'Inès', 'Isabelle', 'Jeanne', 'Julie',
  'Justine', 'Karima', 'Kadiatou', 'Khadija', 'Laetitia', 'Laura', 'Léa', 'Leïla', 'Linda', 'Louise', 'Lucie', 'Malika',
  'Manon', 'Mariama', 'Marie', 'Marine', 'Martine', 'Mélanie', 'Mireille', 'Monique', 'Myriam', 'Nadia', 'Nadège', 'Naïma',
  'Nathalie', 'Nora', 'Océane', 'Oumou', 'Pascale', 'Patricia', 'Rachida', 'Rokia', 'Salimata', 'Samira', 'Sandrine', 'Sarah',
  'Séverine', 'Sophie', 'Souad', 'Stéphanie', 'Sylvie', 'Thanh', 'Valérie', 'Véronique', 'Virginie', 'Yasmina', 'Zoé', 'Zohra',
];

export const MALE_FIRST_NAMES = [
  'Abdel', 'Abdoulaye', 'Adama', 'Ahmed', 'Alain', 'Alexandre', 'Ali', 'Amadou', 'Antoine', 'Arnaud', 'Bakary', 'Bernard',
  'Bruno', 'Cédric', 'Christophe', 'Cyril', 'Daniel', 'David', 'Didier', 'Djibril', 'Éric', 'Étienne', 'Fabrice', 'Farid',
  'Florian', 'François', 'Frédéric', 'Gérard', 'Grégory', 'Guillaume', 'Hamid', 'Hervé', 'Ibrahim', 'Ibrahima', 'Issa',
  'Jacques', 'Jean', 'Jean-Baptiste', 'Jean-Pierre', 'Jérôme', 'Joël', 'Jonathan', 'José', 'Julien', 'Karim', 'Kévin',
  'Lamine', 'Laurent', 'Loïc', 'Lucas', 'Mamadou', 'Marc', 'Mathieu', 'Maxime', 'Mehdi', 'Michel', 'Mohamed', 'Moussa',
  'Mustapha', 'Nicolas', 'Olivier', 'Omar', 'Ousmane', 'Pascal', 'Patrick', 'Philippe', 'Pierre', 'Rachid', 'Raphaël',
  'Rémi', 'Romain', 'Saïd', 'Samir', 'Samuel', 'Sébastien', 'Seydou', 'Sofiane', 'Souleymane', 'Stéphane', 'Sylvain',
  'Thierry', 'Thomas', 'Tony', 'Vincent', 'Yacine', 'Yannick', 'Youssef', 'Yves', 'Zinedine',
];

export const LAST_NAMES = [
  'André', 'Antoine', 'Arnaud', 'Aubert', 'Bah', 'Baldé', 'Barbier', 'Barry', 'Belkacem', 'Ben Ali', 'Benali', 'Benoît',
  'Bernard', 'Bertrand', 'Blanc', 'Bonnet', 'Bouchard', 'Boucher', 'Bourgeois', 'Boyer', 'Brun', 'Camara', 'Carpentier',
  'Carré', 'Chevalier', 'Cissé', 'Clément', 'Colin', 'Coulibaly', 'Da Costa', 'Da Silva', 'Dembélé', 'Denis', 'Diabaté',
  'Diakité', 'Diallo', 'Diarra', 'Diop', 'Dos Santos', 'Doucouré', 'Dubois', 'Dufour', 'Dumas', 'Dumont', 'Dupont',
  'Durand', 'Fabre', 'Fernandes', 'Fernandez', 'Fofana', 'Fontaine', 'Fournier', 'François', 'Gaillard', 'Garcia',
  'Garnier', 'Gauthier', 'Gérard', 'Girard', 'Gomez', 'Gonzalez', 'Guérin', 'Guillaume', 'Haddad', 'Hamidi', 'Henry',
  'Hoarau', 'Kanté', 'Keïta', 'Koné', 'Konaté', 'Lacroix', 'Lambert', 'Laurent', 'Le Gall', 'Le Goff', 'Lefèbvre',
  'Lefebvre', 'Legrand', 'Lemaire', 'Leroy', 'Lopez', 'Lucas', 'Mansouri', 'Marchand', 'Martin', 'Martinez', 'Martins',
  'Mathieu', 'Mercier', 'Meyer', 'Michel', 'Moreau', 'Morel', 'Muller', "N'Diaye", "N'Guessan", 'Ndiaye', 'Nguyen',
  'Nicolas', 'Noël', 'Ouattara', 'Perez', 'Perrin', 'Petit', 'Pereira', 'Philippe', 'Picard', 'Pierre', 'Rey', 'Richard',
  'Rivière', 'Robert', 'Robin', 'Roche', 'Rodrigues', 'Rossi', 'Roussel', 'Roux', 'Sanchez', 'Sangaré', 'Sarr', 'Schmitt',
  'Simon', 'Sissoko', 'Soumaré', 'Sow', 'Sy', 'Sylla', 'Tall', 'Touré', 'Traoré', 'Tran', 'Vincent', 'Yilmaz', 'Ziani',
];

export const STREETS = [
  'rue de la République', 'avenue Jean Jaurès', 'rue Gabriel Péri', 'boulevard Anatole France', 'allée des Tilleuls',
  'rue Paul Vaillant-Couturier', 'avenue Henri Barbusse', 'rue Victor Hugo', 'place de la Mairie', 'rue Jules Guesde',
  'avenue du Président Salvador Allende', 'rue Danielle Casanova', 'boulevard Maxime Gorki', 'rue Édouard Vaillant',
  "rue de l'Église", 'chemin des Vignes', 'avenue de la Division Leclerc', 'rue Pablo Picasso', 'cité des Courtillières',
  'rue Lénine',
];

/**
 * Approximate population (thousands) of the communes, to spread people as the département does.
 * A commune not listed (reference data changed) weighs 10.
 */
export const COMMUNE_WEIGHTS: Record<string, number> = {
  '93001': 88, '93005': 86, '93006': 36, '93007': 57, '93008': 54, '93010': 54, '93013': 16, '93014': 29, '93015': 5,
  '93027': 45, '93029': 72, '93030': 11, '93031': 55, '93032': 39, '93033': 7, '93039': 8, '93045': 23, '93046': 45,
  '93047': 28, '93048': 111, '93049': 21, '93050': 35, '93051': 69, '93053': 45, '93055': 60, '93057': 23, '93059': 30,
  '93061': 17, '93062': 15, '93063': 30, '93064': 46, '93066': 113, '93070': 51, '93071': 51, '93072': 39, '93073': 36,
  '93074': 7, '93077': 30, '93078': 37, '93079': 14,
};

/** A deterministic pseudo-random generator (mulberry32), for reproducible files. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Plain ASCII lower case, letters and digits only, for e-mail addresses ("N'Diaye" → "ndiaye"). */
export function asciiSlug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}
