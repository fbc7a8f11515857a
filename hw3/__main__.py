from hw3.cli import main

raise SystemExit(main())
