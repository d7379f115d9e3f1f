from tenantlint.cli import main

raise SystemExit(main())
