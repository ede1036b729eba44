"""Word lists for the French demo directory (see `directory.bulk_load`)."""

KINDS = [
    "Lieu de spectacle",
    "Compagnie",
    "Festival",
    "Collectivité territoriale",
    "Association",
    "Musée",
    "Médiathèque",
    "Conservatoire",
]

FUNCTIONS = [
    "Directeur·rice",
    "Administrateur·rice",
    "Chargé·e de production",
    "Chargé·e de communication",
    "Attaché·e de presse",
    "Programmateur·rice",
    "Président·e",
    "Membre du conseil d'administration",
    "Régisseur·se général·e",
    "Chargé·e des relations publiques",
    "Élu·e à la culture",
    "Médiateur·rice culturel·le",
]

# (city, postcode)
CITIES = [
    ("Paris", "75011"), ("Paris", "75004"), ("Montreuil", "93100"), ("Versailles", "78000"),
    ("Lyon", "69001"), ("Villeurbanne", "69100"), ("Grenoble", "38000"), ("Clermont-Ferrand", "63000"),
    ("Annecy", "74000"), ("Saint-Étienne", "42000"), ("Dijon", "21000"), ("Besançon", "25000"),
    ("Rennes", "35000"), ("Brest", "29200"), ("Lorient", "56100"), ("Orléans", "45000"),
    ("Tours", "37000"), ("Bourges", "18000"), ("Ajaccio", "20000"), ("Bastia", "20200"),
    ("Strasbourg", "67000"), ("Metz", "57000"), ("Nancy", "54000"), ("Reims", "51100"),
    ("Mulhouse", "68100"), ("Lille", "59000"), ("Amiens", "80000"), ("Arras", "62000"),
    ("Rouen", "76000"), ("Caen", "14000"), ("Le Havre", "76600"), ("Bordeaux", "33000"),
    ("Poitiers", "86000"), ("Limoges", "87000"), ("La Rochelle", "17000"), ("Pau", "64000"),
    ("Toulouse", "31000"), ("Montpellier", "34000"), ("Nîmes", "30000"), ("Perpignan", "66000"),
    ("Albi", "81000"), ("Nantes", "44000"), ("Angers", "49000"), ("Le Mans", "72000"),
    ("Marseille", "13001"), ("Avignon", "84000"), ("Nice", "06000"), ("Aix-en-Provence", "13100"),
    ("Fort-de-France", "97200"), ("Saint-Denis", "97400"), ("Chalon-sur-Saône", "71100"),
    ("Aurillac", "15000"), ("Châlons-en-Champagne", "51000"), ("Morlaix", "29600"),
]

STREETS = [
    "rue de la République", "place du Théâtre", "avenue Jean-Jaurès", "rue Victor-Hugo",
    "boulevard Gambetta", "rue des Arts", "quai de la Fosse", "rue Émile-Zola",
    "place de l'Hôtel-de-Ville", "rue du Moulin", "allée des Tilleuls", "rue Pasteur",
    "chemin des Vignes", "rue Sainte-Cécile", "cours Mirabeau", "rue de l'Église",
]

FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Jeanne", "Élodie", "Hélène", "Agnès", "Céline",
    "Sophie", "Amélie", "Noémie", "Zoé", "Maëlle", "Anaïs", "Bérénice", "Clémence", "Aurélie",
    "Margaux", "Louis", "Hugo", "Lucas", "Gabriel", "Jules", "Raphaël", "Arthur", "Théo",
    "Étienne", "Jérôme", "François", "Benoît", "Grégoire", "Mathéo", "Noël", "Loïc", "Cédric",
    "Frédéric", "Sébastien", "Thibault", "Yannick", "Karim", "Samira", "Mehdi", "Aïcha",
    "Nadia", "Youssef", "Linh", "Mei", "Pierre-Yves",
]

LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèbvre", "Mercier", "Dupont",
    "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau",
    "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
    "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson",
    "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier",
    "Roger", "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Pérez", "Marchand",
    "Dufour", "Blanchard", "Marie", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux",
    "Colin", "Fernandez", "Pierre", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud",
    "Leclerc", "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Philippe",
    "Leclercq", "Lacroix", "Fabre", "Dupuis", "Olivier", "Rodriguez", "Da Silva", "Hubert",
    "Louis", "Charles", "Guillot", "Rivière", "Le Gall", "Guillaume", "Adam", "Rey", "Moulin",
    "Gonzalez", "Berger", "Lecomte", "Ménard", "Fleury", "Deschamps", "Carpentier", "Julien",
    "Benoît", "Paris", "Maillard", "Marchal", "Aubry", "Vasseur", "Le Roux", "Renault",
    "Jacquet", "Collet", "Prévost", "Poirier", "Charpentier", "Royer", "Huet", "Baron",
    "Dupuy", "Pons", "Paul", "Laine", "Carré", "Breton", "Rémy", "Schneider", "Perrot",
    "Guyot", "Barre", "Marty", "Cousin", "Bénard", "Hoarau", "Lebrun", "Œuvray", "Kerjean",
]

# Organisation name patterns per kind; {city} and {word} are filled in.
NAME_PATTERNS = {
    "Lieu de spectacle": [
        "Théâtre de {city}", "Scène nationale de {city}", "L'Étoile du {word}",
        "Le {word} – scène de musiques actuelles", "Opéra de {city}", "Espace culturel {word}",
        "La Comédie de {city}", "Théâtre du {word}",
    ],
    "Compagnie": [
        "Compagnie du {word}", "Cie Les {word}s", "Collectif {word}", "Compagnie {word} & Cie",
        "Ensemble {word}", "Troupe du {word}",
    ],
    "Festival": [
        "Festival {word} de {city}", "Les Nuits du {word}", "Festival d'été de {city}",
        "Rencontres {word}", "{word} en scène",
    ],
    "Collectivité territoriale": [
        "Ville de {city}", "Communauté d'agglomération de {city}", "Département – {city}",
    ],
    "Association": [
        "Association {word}", "Les Amis du {word}", "Maison des jeunes et de la culture de {city}",
    ],
    "Musée": ["Musée des Beaux-Arts de {city}", "Musée du {word}", "Frac – {city}"],
    "Médiathèque": ["Médiathèque {word}", "Bibliothèque municipale de {city}"],
    "Conservatoire": ["Conservatoire de {city}", "École de musique {word}"],
}

WORDS = [
    "Soleil", "Chapiteau", "Fil", "Phare", "Moulin", "Rivage", "Grenier", "Vent", "Lavoir",
    "Quai", "Carrousel", "Ciel", "Printemps", "Jardin", "Miroir", "Masque", "Écho", "Rêve",
    "Prisme", "Sillon", "Nomade", "Tambour", "Violon", "Papillon", "Marronnier", "Hibou",
    "Chêne", "Sémaphore", "Pavillon", "Lanterne",
]

COMMENTS = [
    "Rencontré au salon des programmateurs : très intéressé·e par nos résidences.",
    "Dossier de subvention envoyé le mois dernier, relancer avant la commission.",
    "Préfère être contacté·e par téléphone le matin.",
    "A accueilli deux spectacles jeune public la saison dernière, très bon retour.",
    "Nouvelle direction depuis septembre : mettre à jour les contacts.",
    "Convention de partenariat à renouveler en fin d'année.",
    "Salle en travaux jusqu'au printemps, programmation hors les murs.",
    "Souhaite recevoir la brochure de saison en version papier.",
]
