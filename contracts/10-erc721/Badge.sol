// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title Badges that level up, drawn on-chain as SVG.
contract Badge is ERC721 {
    using Strings for uint256;

    constructor() ERC721("Badge", "BDG") {}

    // YOUR CODE HERE: mint, level, levelUp and tokenURI.
}
